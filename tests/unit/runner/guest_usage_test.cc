#include "daemon/guest_usage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

namespace oxydra::runner {
namespace {

TEST(GuestUsage, AProcessInTheRunnersOwnCgroupIsMeasuredAlone) {
  std::vector<char> touched(64u << 20, 1);  // 64 MiB resident
  const GuestUsage usage = measure_guest_usage(::getpid());
  EXPECT_EQ(usage.source, "process");
  ASSERT_TRUE(usage.memory_bytes);
  EXPECT_GE(*usage.memory_bytes, touched.size());
  ASSERT_TRUE(usage.cpu_seconds);
  EXPECT_GE(*usage.cpu_seconds, 0.0);
}

TEST(GuestUsage, AProcessThatIsGoneHasNoFigures) {
  const GuestUsage usage = measure_guest_usage(0x3ffffffe);
  EXPECT_FALSE(usage.memory_bytes);
  EXPECT_FALSE(usage.cpu_seconds);
}

}  // namespace
}  // namespace oxydra::runner
