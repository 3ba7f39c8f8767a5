#include "oxydra/vmlink/frame.h"

#include <gtest/gtest.h>

namespace oxydra::vmlink {
namespace {

TEST(VmLinkFrame, RoundTripsFedOneByteAtATime) {
  std::string wire;
  append_frame(wire, 0, FrameKind::hello, "kernel 6.1");
  append_frame(wire, 7, FrameKind::data, std::string("a\0b", 3));
  append_frame(wire, 7, FrameKind::eof);
  FrameDecoder decoder;
  std::vector<Frame> frames;
  for (char c : wire) {
    decoder.feed(std::string_view(&c, 1));
    while (auto frame = decoder.next())
      frames.push_back(*frame);
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].kind, FrameKind::hello);
  EXPECT_EQ(frames[0].payload, "kernel 6.1");
  EXPECT_EQ(frames[1].channel, 7u);
  EXPECT_EQ(frames[1].payload, std::string("a\0b", 3));
  EXPECT_EQ(frames[2].kind, FrameKind::eof);
  EXPECT_TRUE(decoder.error().empty());
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(VmLinkFrame, HeaderIsBigEndianChannelLengthKind) {
  std::string wire;
  append_frame(wire, 0x01020304, FrameKind::open, "gw");
  EXPECT_EQ(wire, std::string("\x01\x02\x03\x04\x00\x00\x00\x02\x02gw", 11));
}

TEST(VmLinkFrame, UnknownKindStopsTheDecoderForGood) {
  FrameDecoder decoder;
  decoder.feed(std::string("\0\0\0\1\0\0\0\0\x09", 9));
  EXPECT_FALSE(decoder.next());
  EXPECT_NE(decoder.error().find("unknown frame kind 9"), std::string::npos);
  std::string good;
  append_frame(good, 0, FrameKind::hello);
  decoder.feed(good);
  EXPECT_FALSE(decoder.next());
}

TEST(VmLinkFrame, OversizedPayloadIsRefusedBeforeItArrives) {
  FrameDecoder decoder;
  decoder.feed(std::string("\0\0\0\1\x7f\xff\xff\xff\x03", 9));
  EXPECT_FALSE(decoder.next());
  EXPECT_NE(decoder.error().find("at most 65536"), std::string::npos);
}

TEST(VmLinkFrame, CreditPayloadIsFourBytes) {
  EXPECT_EQ(parse_credit(credit_payload(123456)), 123456u);
  EXPECT_FALSE(parse_credit("abc"));
}

}  // namespace
}  // namespace oxydra::vmlink
