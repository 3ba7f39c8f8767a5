#include "oxydra/sys/backoff.h"

#include <gtest/gtest.h>

namespace oxydra::sys {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, PausesDoublingUpToTheLimit) {
  Backoff backoff(milliseconds(5), milliseconds(10));
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  auto start = Clock::now();
  ASSERT_TRUE(backoff.pause_before(deadline));
  EXPECT_GE(Clock::now() - start, milliseconds(5));
  start = Clock::now();
  ASSERT_TRUE(backoff.pause_before(deadline));
  EXPECT_GE(Clock::now() - start, milliseconds(10));
  start = Clock::now();
  ASSERT_TRUE(backoff.pause_before(deadline));
  const auto third = Clock::now() - start;
  EXPECT_GE(third, milliseconds(10));
  EXPECT_LT(third, milliseconds(20) + milliseconds(500));  // capped, not 20 ms more each time
}

TEST(Backoff, RefusesAPauseThatWouldReachTheDeadline) {
  Backoff backoff(milliseconds(200), milliseconds(200));
  const auto start = Clock::now();
  EXPECT_FALSE(backoff.pause_before(start + milliseconds(50)));
  EXPECT_LT(Clock::now() - start, milliseconds(50));
}

}  // namespace
}  // namespace oxydra::sys
