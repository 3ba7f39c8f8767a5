#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace oxydra::runner {

// Turns Ctrl-C (SIGINT) into a callback on a thread of its own, so a command
// can cancel its current operation instead of dying. Construct it before
// starting any other thread: they inherit the blocked SIGINT.
class InterruptWatcher {
 public:
  explicit InterruptWatcher(std::function<void()> on_interrupt);
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

 private:
  std::function<void()> on_interrupt_;
  std::thread thread_;
  std::atomic<bool> done_{false};
};

}  // namespace oxydra::runner
