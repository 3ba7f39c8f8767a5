#include "output_buffer.h"

#include <gtest/gtest.h>

#include "pending_output.h"

namespace oxydra::shell_daemon {
namespace {

std::string numbered(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i)
    s.push_back(static_cast<char>('a' + i % 26));
  return s;
}

TEST(HeadTailBuffer, KeepsEverythingWhileItFits) {
  HeadTailBuffer buf(4, 4);
  buf.append("abc");
  buf.append("defgh");
  EXPECT_TRUE(buf.complete());
  EXPECT_EQ(std::string(buf.head()) + std::string(buf.tail()), "abcdefgh");
}

TEST(HeadTailBuffer, KeepsHeadAndTailOfAnyStreamInSmallOrLargeChunks) {
  const std::string data = numbered(10000);
  for (std::size_t chunk : {1u, 3u, 7u, 100u, 5000u}) {
    HeadTailBuffer buf(10, 20);
    for (std::size_t i = 0; i < data.size(); i += chunk)
      buf.append(data.substr(i, chunk));
    EXPECT_EQ(buf.total(), data.size());
    EXPECT_FALSE(buf.complete());
    EXPECT_EQ(buf.head(), data.substr(0, 10));
    EXPECT_EQ(buf.tail(), data.substr(data.size() - 20));
  }
}

TEST(KeepOutput, SmallOutputIsKeptWhole) {
  auto out = make_stream_buffer(64);
  auto err = make_stream_buffer(64);
  out.append("hello\n");
  err.append("oops\n");
  KeptOutput kept = keep_output(out, err, 64);
  EXPECT_EQ(kept.stdout_text, "hello\n");
  EXPECT_EQ(kept.stderr_text, "oops\n");
  EXPECT_EQ(kept.truncated_bytes, 0u);
}

TEST(KeepOutput, OneLargeStreamGetsTheWholeBudgetAsHeadAndTail) {
  const std::string data = numbered(1000);
  auto out = make_stream_buffer(100);
  auto err = make_stream_buffer(100);
  out.append(data);
  KeptOutput kept = keep_output(out, err, 100);
  EXPECT_EQ(kept.stdout_text, data.substr(0, 50) + data.substr(950));
  EXPECT_EQ(kept.stderr_text, "");
  EXPECT_EQ(kept.truncated_bytes, 900u);
}

TEST(KeepOutput, AStreamUnderHalfKeepsAllAndTheOtherTheRest) {
  auto out = make_stream_buffer(100);
  auto err = make_stream_buffer(100);
  out.append(numbered(500));
  err.append(std::string(30, 'E'));
  KeptOutput kept = keep_output(out, err, 100);
  EXPECT_EQ(kept.stderr_text, std::string(30, 'E'));
  EXPECT_EQ(kept.stdout_text.size(), 70u);
  EXPECT_EQ(kept.truncated_bytes, 430u);
}

TEST(KeepOutput, BothLargeSplitEvenlyAndMiddleOfContiguousDataIsDropped) {
  auto out = make_stream_buffer(64);
  auto err = make_stream_buffer(64);
  const std::string data = numbered(40);
  out.append(data);
  err.append(data);
  KeptOutput kept = keep_output(out, err, 64);
  EXPECT_EQ(kept.stdout_text, data.substr(0, 16) + data.substr(24));
  EXPECT_EQ(kept.stderr_text, data.substr(0, 16) + data.substr(24));
  EXPECT_EQ(kept.truncated_bytes, 16u);
}

TEST(KeepOutput, CutsFallOnCharacterBoundariesAndCountAsTruncated) {
  std::string euros;
  for (int i = 0; i < 100; ++i)
    euros += "\xE2\x82\xAC";  // 300 bytes
  auto out = make_stream_buffer(10);
  auto err = make_stream_buffer(10);
  out.append(euros);
  KeptOutput kept = keep_output(out, err, 10);
  // head 5 bytes -> one € (3 bytes); tail 5 bytes -> one € (3 bytes)
  EXPECT_EQ(kept.stdout_text, "\xE2\x82\xAC\xE2\x82\xAC");
  EXPECT_EQ(kept.kept_bytes, 6u);
  EXPECT_EQ(kept.truncated_bytes, 294u);
}

TEST(KeepOutput, ZeroBudgetKeepsNothing) {
  auto out = make_stream_buffer(0);
  auto err = make_stream_buffer(0);
  out.append("abc");
  KeptOutput kept = keep_output(out, err, 0);
  EXPECT_EQ(kept.stdout_text, "");
  EXPECT_EQ(kept.truncated_bytes, 3u);
}

TEST(PendingOutput, EmptyAnswersEofAtOnce) {
  PendingOutput pending;
  auto chunk = pending.next(10);
  EXPECT_EQ(chunk.stream, "stdout");
  EXPECT_EQ(chunk.data, "");
  EXPECT_TRUE(chunk.eof);
}

TEST(PendingOutput, StdoutThenStderrInChunksWithEofOnTheLast) {
  PendingOutput pending("abcde", "xy");
  auto a = pending.next(3);
  EXPECT_EQ(a.stream, "stdout");
  EXPECT_EQ(a.data, "abc");
  EXPECT_FALSE(a.eof);
  auto b = pending.next(3);
  EXPECT_EQ(b.data, "de");
  EXPECT_FALSE(b.eof);
  auto c = pending.next(3);
  EXPECT_EQ(c.stream, "stderr");
  EXPECT_EQ(c.data, "xy");
  EXPECT_TRUE(c.eof);
  EXPECT_TRUE(pending.next(3).eof);
}

TEST(PendingOutput, ChunksNeverSplitACharacter) {
  PendingOutput pending("\xE2\x82\xAC\xE2\x82\xAC", "");
  auto a = pending.next(4);
  EXPECT_EQ(a.data, "\xE2\x82\xAC");
  auto b = pending.next(1);
  EXPECT_EQ(b.data, "\xE2\x82\xAC");
  EXPECT_TRUE(b.eof);
}

}  // namespace
}  // namespace oxydra::shell_daemon
