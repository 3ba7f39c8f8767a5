#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace oxydra::runtime {

// Calls `on_expiry` once `timeout` has passed, on its own thread, unless the
// object is destroyed first. The provider blocks in libcurl and a tool in its
// command, so only a separate thread can stop them on time.
class Deadline {
 public:
  Deadline(std::chrono::milliseconds timeout, std::function<void()> on_expiry);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace oxydra::runtime
