#include "output_capture.h"

#include <gtest/gtest.h>

namespace oxydra::sandbox {
namespace {

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
