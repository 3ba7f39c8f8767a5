#include "oxydra/provider/sse_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace oxydra::provider {
namespace {

using namespace std::string_literals;

std::vector<SseEvent> parse_all(SseParser& parser, std::string_view input) {
  EXPECT_TRUE(parser.feed(input));
  std::vector<SseEvent> out;
  while (auto event = parser.next())
    out.push_back(std::move(*event));
  return out;
}

std::vector<SseEvent> drain(SseParser& parser) {
  std::vector<SseEvent> out;
  while (auto event = parser.next())
    out.push_back(std::move(*event));
  return out;
}

const std::string kStream =
    "\xEF\xBB\xBF: a comment first\r\n"
    "event: message_start\r\n"
    "id: 7\r\n"
    "data: {\"a\":1}\r\n"
    "\r\n"
    "data: line one\n"
    "data:line two\n"
    "data:  leading space kept\n"
    "\n"
    "retry: 1500\r"
    "data: [DONE]\r"
    "\r";

void expect_reference_events(const std::vector<SseEvent>& events) {
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event, "message_start");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[1].event, "message");
  EXPECT_EQ(events[1].data, "line one\nline two\n leading space kept");
  EXPECT_EQ(events[1].id, "7");  // the last id persists
  EXPECT_EQ(events[2].data, "[DONE]");
}

TEST(SseParser, ParsesFieldsCommentsAndMixedLineEndings) {
  SseParser parser;
  expect_reference_events(parse_all(parser, kStream));
  EXPECT_EQ(parser.retry_ms(), 1500);
  EXPECT_EQ(parser.pending_bytes(), 0u);
}

TEST(SseParser, SameEventsWhenSplitAtEveryByteBoundary) {
  for (std::size_t cut = 0; cut <= kStream.size(); ++cut) {
    SseParser parser;
    ASSERT_TRUE(parser.feed(std::string_view(kStream).substr(0, cut)));
    ASSERT_TRUE(parser.feed(std::string_view(kStream).substr(cut)));
    SCOPED_TRACE("cut at " + std::to_string(cut));
    expect_reference_events(drain(parser));
  }
}

TEST(SseParser, SameEventsFedByteByByteAndInRandomSlices) {
  SseParser bytewise;
  for (char c : kStream)
    ASSERT_TRUE(bytewise.feed(std::string_view(&c, 1)));
  expect_reference_events(drain(bytewise));

  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    SseParser parser;
    std::string_view rest = kStream;
    while (!rest.empty()) {
      const std::size_t n = std::min<std::size_t>(rest.size(), rng() % 7);
      ASSERT_TRUE(parser.feed(rest.substr(0, n)));
      rest.remove_prefix(n);
    }
    expect_reference_events(drain(parser));
  }
}

TEST(SseParser, CrLfSplitAcrossFeedsIsOneLineEnding) {
  SseParser parser;
  ASSERT_TRUE(parser.feed("data: a\r"));
  ASSERT_TRUE(parser.feed("\ndata: b\r"));
  ASSERT_TRUE(parser.feed("\n\r"));
  ASSERT_TRUE(parser.feed("\n"));
  auto events = drain(parser);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a\nb");
}

TEST(SseParser, BomOnlyAtTheStartAndOnlyOnce) {
  SseParser parser;
  auto events = parse_all(parser,
                          "\xEF\xBB\xBF\xEF\xBB\xBF"
                          "data: x\n\n");
  EXPECT_TRUE(events.empty());  // the second BOM is part of an unknown field name

  SseParser partial;
  events = parse_all(partial,
                     "\xEF\xBB"
                     "data: x\n\n");  // not a BOM: bytes of the field name
  EXPECT_TRUE(events.empty());
}

TEST(SseParser, EventWithoutDataIsNotDispatchedAndEmptyDataIs) {
  SseParser parser;
  auto events = parse_all(parser, "event: ping\n\ndata\n\ndata:\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "");
  EXPECT_EQ(events[0].event, "message");  // `event: ping` was reset with its empty event
  EXPECT_EQ(events[1].data, "");
}

TEST(SseParser, IgnoresUnknownFieldsAndInvalidRetry) {
  SseParser parser;
  auto events = parse_all(parser, "foo: bar\nretry: 12x\nid: a\0b\ndata: z\n\n"s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "z");
  EXPECT_EQ(events[0].id, "");
  EXPECT_FALSE(parser.retry_ms().has_value());
}

TEST(SseParser, FinishDispatchesAnUnterminatedLastEvent) {
  SseParser parser;
  ASSERT_TRUE(parser.feed("data: [DONE]"));
  EXPECT_FALSE(parser.next().has_value());
  EXPECT_GT(parser.pending_bytes(), 0u);
  parser.finish();
  auto event = parser.next();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->data, "[DONE]");
}

TEST(SseParser, OversizeLineIsAnErrorWithoutUnboundedGrowth) {
  SseParser parser(SseLimits{64, 1024});
  const std::string slice(40, 'x');
  ASSERT_TRUE(parser.feed("data: "));
  ASSERT_TRUE(parser.feed(slice));
  auto fed = parser.feed(slice);
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().code, ErrorCode::invalid_response);
  EXPECT_NE(fed.error().message.find("line exceeds 64 bytes"), std::string::npos);
  EXPECT_TRUE(parser.failed());
  EXPECT_EQ(parser.pending_bytes(), 0u);
  EXPECT_FALSE(parser.feed("\n\n"));  // terminal

  SseParser whole_line(SseLimits{64, 1024});
  EXPECT_FALSE(whole_line.feed("data: " + std::string(100, 'y') + "\n"));
}

TEST(SseParser, OversizeEventIsAnError) {
  SseParser parser(SseLimits{64, 100});
  std::string input;
  for (int i = 0; i < 5; ++i)
    input += "data: " + std::string(30, 'x') + "\n";
  auto fed = parser.feed(input);
  ASSERT_FALSE(fed);
  EXPECT_NE(fed.error().message.find("event exceeds 100 bytes"), std::string::npos);
}

TEST(SseParser, EventsBeforeAnErrorAreStillAvailable) {
  SseParser parser(SseLimits{16, 1024});
  EXPECT_FALSE(parser.feed("data: ok\n\ndata: " + std::string(40, 'x') + "\n\n"));
  auto events = drain(parser);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "ok");
}

}  // namespace
}  // namespace oxydra::provider
