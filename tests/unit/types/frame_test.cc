#include "oxydra/types/frame.h"

#include <gtest/gtest.h>

#include <random>

#include "oxydra/types/message.h"

namespace oxydra {
namespace {

std::vector<FrameEvent> drain(FrameDecoder& decoder) {
  std::vector<FrameEvent> out;
  while (auto event = decoder.next())
    out.push_back(std::move(*event));
  return out;
}

TEST(FrameCodec, EncodesBigEndianLengthPrefix) {
  const std::string frame = encode_frame("{}");
  ASSERT_EQ(frame.size(), 6u);
  EXPECT_EQ(frame.substr(0, 4), std::string("\0\0\0\x02", 4));
  EXPECT_EQ(frame.substr(4), "{}");
}

TEST(FrameCodec, RoundTripsEveryByteBoundarySplit) {
  const std::string payload = R"({"op":"hello","payload":{"request_id":"r-1"}})";
  const std::string wire = encode_frame(payload) + encode_frame(payload);
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    FrameDecoder decoder(1024);
    decoder.feed(std::string_view(wire).substr(0, cut));
    decoder.feed(std::string_view(wire).substr(cut));
    auto events = drain(decoder);
    ASSERT_EQ(events.size(), 2u) << "cut at " << cut;
    for (const auto& e : events) {
      EXPECT_EQ(e.kind, FrameEvent::Kind::frame);
      EXPECT_EQ(e.payload, payload);
    }
  }
}

TEST(FrameCodec, DecodesByteByByteAndRandomChunks) {
  std::string wire;
  std::vector<std::string> payloads;
  for (int i = 0; i < 50; ++i) {
    payloads.push_back(
        std::string(static_cast<std::size_t>(i * 37 + 1), static_cast<char>('a' + i % 26)));
    append_frame(wire, payloads.back());
  }
  std::mt19937 rng(7);
  FrameDecoder decoder(1 << 20);
  std::size_t pos = 0;
  while (pos < wire.size()) {
    std::size_t n = std::uniform_int_distribution<std::size_t>(1, 97)(rng);
    n = std::min(n, wire.size() - pos);
    decoder.feed(std::string_view(wire).substr(pos, n));
    pos += n;
  }
  auto events = drain(decoder);
  ASSERT_EQ(events.size(), payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i)
    EXPECT_EQ(events[i].payload, payloads[i]);
  EXPECT_EQ(decoder.pending_bytes(), 0u);
}

TEST(FrameCodec, SeveralFramesInOneBuffer) {
  const std::string wire =
      encode_frame("{\"a\":1}") + encode_frame("{\"b\":2}") + encode_frame("{\"c\":3}");
  FrameDecoder decoder(64);
  decoder.feed(wire);
  auto events = drain(decoder);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].payload, "{\"c\":3}");
}

TEST(FrameCodec, OversizedPrefixRejectedBeforeAnyPayloadIsBuffered) {
  FrameDecoder decoder(16);
  decoder.feed(std::string("\x00\x00\x01\x00", 4));  // announces 256 bytes
  auto events = drain(decoder);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::too_large);
  EXPECT_EQ(events[0].announced, 256u);
  EXPECT_TRUE(decoder.failed());
  decoder.feed(std::string(256, 'x'));
  EXPECT_TRUE(drain(decoder).empty());
  EXPECT_LE(decoder.pending_bytes(), kFramePrefixBytes);
}

TEST(FrameCodec, FrameAtExactLimitIsAccepted) {
  FrameDecoder decoder(16);
  decoder.feed(encode_frame(std::string(16, 'x')));
  auto events = drain(decoder);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::frame);
}

TEST(FrameCodec, ZeroLengthIsReportedAndDecodingContinues) {
  FrameDecoder decoder(64);
  decoder.feed(std::string("\0\0\0\0", 4) + encode_frame("{}"));
  auto events = drain(decoder);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::zero_length);
  EXPECT_EQ(events[1].kind, FrameEvent::Kind::frame);
  EXPECT_FALSE(decoder.failed());
}

TEST(FrameCodec, TruncatedStreamLeavesPendingBytes) {
  FrameDecoder decoder(64);
  const std::string frame = encode_frame("{\"op\":\"x\"}");
  decoder.feed(std::string_view(frame).substr(0, frame.size() - 1));
  EXPECT_TRUE(drain(decoder).empty());
  EXPECT_EQ(decoder.pending_bytes(), frame.size() - 1);
  FrameDecoder prefix_only(64);
  prefix_only.feed(std::string("\0\0", 2));
  EXPECT_EQ(prefix_only.pending_bytes(), 2u);
}

TEST(Message, ParsesOpAndPayload) {
  auto m = parse_message(R"({"op":"exec_command","payload":{"request_id":"r-1","extra":true}})");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, "exec_command");
  EXPECT_EQ(request_id_of(m->payload), "r-1");
}

TEST(Message, MissingPayloadIsEmptyObject) {
  auto m = parse_message(R"({"op":"hello"})");
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->payload.is_object());
}

TEST(Message, BadJsonIsInvalidFrame) {
  auto m = parse_message("{not json");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code, ErrorCode::invalid_frame);
}

TEST(Message, NonObjectJsonIsInvalidFrame) {
  for (const char* text : {"[1,2]", "42", "\"op\"", "null", "true"}) {
    auto m = parse_message(text);
    ASSERT_FALSE(m.has_value()) << text;
    EXPECT_EQ(m.error().code, ErrorCode::invalid_frame) << text;
  }
}

TEST(Message, OpMustBeANonEmptyStringAndPayloadAnObject) {
  EXPECT_FALSE(parse_message(R"({"payload":{}})").has_value());
  EXPECT_FALSE(parse_message(R"({"op":7})").has_value());
  EXPECT_FALSE(parse_message(R"({"op":""})").has_value());
  EXPECT_FALSE(parse_message(R"({"op":"x","payload":[1]})").has_value());
}

TEST(Message, UnknownOpStillParsesSoTheServerCanAnswerUnknownOp) {
  auto m = parse_message(R"({"op":"frobnicate","payload":{"request_id":"r-9"}})");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, "frobnicate");
  auto err =
      error_payload(request_id_of(m->payload), ErrorCode::unknown_op, "unknown op `frobnicate`");
  EXPECT_EQ(err["request_id"], "r-9");
  EXPECT_EQ(err["code"], "unknown_op");
  EXPECT_TRUE(error_payload(std::nullopt, ErrorCode::invalid_frame, "x")["request_id"].is_null());
}

TEST(Message, EncodeThenDecodeRoundTrips) {
  const std::string wire =
      encode_message("hello", {{"request_id", "r-1"}, {"protocol_version", 1}});
  FrameDecoder decoder(kShellMaxFrame);
  decoder.feed(wire);
  auto event = decoder.next();
  ASSERT_TRUE(event.has_value());
  auto m = parse_message(event->payload);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, "hello");
  EXPECT_EQ(m->payload["protocol_version"], 1);
}

TEST(Message, InvalidUtf8IsReplacedOnSerialize) {
  const std::string text = serialize_message("output", {{"data", std::string("a\xff"
                                                                             "b")}});
  EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos);
}

}  // namespace
}  // namespace oxydra
