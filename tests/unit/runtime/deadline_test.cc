#include "deadline.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace oxydra::runtime {
namespace {

using std::chrono::milliseconds;

TEST(Deadline, FiresOnceItsTimeHasPassed) {
  std::mutex mu;
  std::condition_variable cv;
  int fired = 0;
  Deadline deadline(milliseconds(5), [&] {
    std::lock_guard lock(mu);
    ++fired;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return fired > 0; }));
  EXPECT_EQ(fired, 1);
}

TEST(Deadline, ADestroyedDeadlineNeverFires) {
  std::atomic<int> fired{0};
  {
    Deadline deadline(milliseconds(20), [&] { ++fired; });
  }
  // A later deadline firing proves the watchdog got past the cancelled one.
  std::mutex mu;
  std::condition_variable cv;
  bool later = false;
  Deadline after(milliseconds(40), [&] {
    std::lock_guard lock(mu);
    later = true;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return later; }));
  EXPECT_EQ(fired.load(), 0);
}

TEST(Deadline, ManyDeadlinesFireInTimeOrder) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> order;
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard lock(mu);
      order.push_back(n);
      cv.notify_all();
    };
  };
  // Far enough apart that arming the next one (slow under a sanitizer) cannot
  // reorder them.
  Deadline third(milliseconds(900), record(3));
  Deadline first(milliseconds(300), record(1));
  Deadline second(milliseconds(600), record(2));
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return order.size() == 3; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace oxydra::runtime
