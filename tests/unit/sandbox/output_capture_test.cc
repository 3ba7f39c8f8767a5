#include "output_capture.h"

#include <gtest/gtest.h>

namespace oxydra::sandbox {
namespace {

TEST(Utf8, ReplacesInvalidSequences) {
  EXPECT_EQ(valid_utf8("plain"), "plain");
  EXPECT_EQ(valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(valid_utf8("a\xff"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(valid_utf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(valid_utf8("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

TEST(Utf8, CompletePrefixHoldsBackASplitSequence) {
  EXPECT_EQ(complete_utf8_prefix("abc"), 3u);
  EXPECT_EQ(complete_utf8_prefix("ab\xc3"), 2u);
  EXPECT_EQ(complete_utf8_prefix("a\xf0\x9f\x98"), 1u);
  EXPECT_EQ(complete_utf8_prefix("a\xff"), 2u);  // invalid, not incomplete
}

TEST(OutputCapture, KeepsEverythingWithinBudget) {
  OutputCapture capture(100);
  capture.append("hello ");
  capture.append("world");
  EXPECT_EQ(capture.text(), "hello world");
  EXPECT_EQ(capture.total(), 11u);
  EXPECT_EQ(capture.dropped(), 0u);
}

TEST(OutputCapture, KeepsHeadAndTail) {
  OutputCapture capture(10);
  for (int i = 0; i < 1000; ++i)
    capture.append(std::string(1, static_cast<char>('a' + i % 26)));
  EXPECT_EQ(capture.total(), 1000u);
  EXPECT_EQ(capture.dropped(), 990u);
  // Head: the first 5; tail: the last 5 (i = 995..999).
  EXPECT_EQ(capture.text(),
            "abcde"
            "hijkl");
  capture.append(std::string(1 << 20, 'z'));
  EXPECT_EQ(capture.text(), "abcdezzzzz");
}

}  // namespace
}  // namespace oxydra::sandbox
