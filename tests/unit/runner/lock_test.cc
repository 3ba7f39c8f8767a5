#include <unistd.h>

#include <gtest/gtest.h>

#include "daemon/runner_lock.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

TEST(RunnerLock, SecondAcquireFailsNamingThePid) {
  testlib::TempDir dir;
  const auto file = lock_file(dir.path());
  auto first = RunnerLock::acquire(file, "alice");
  ASSERT_TRUE(first) << first.error().message;
  auto second = RunnerLock::acquire(file, "alice");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::already_running);
  EXPECT_NE(second.error().message.find("pid " + std::to_string(::getpid())), std::string::npos)
      << second.error().message;
  EXPECT_EQ(RunnerLock::holder(file), ::getpid());
}

TEST(RunnerLock, ReleasedWhenDroppedAndStaleFileIsReused) {
  testlib::TempDir dir;
  const auto file = lock_file(dir.path());
  {
    auto lock = RunnerLock::acquire(file, "alice");
    ASSERT_TRUE(lock);
  }
  EXPECT_EQ(RunnerLock::holder(file), std::nullopt);  // the file stays, the lock does not
  auto again = RunnerLock::acquire(file, "alice");
  EXPECT_TRUE(again);
}

}  // namespace
}  // namespace oxydra::runner
