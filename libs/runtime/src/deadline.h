#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace oxydra::runtime {

// Calls `on_expiry` once `timeout` has passed, unless the object is destroyed
// first; after destruction it is neither running nor going to run. The
// provider blocks in libcurl and a tool in its command, so only another
// thread can stop them on time: one watchdog thread serves every deadline of
// the process, so a turn costs a map insertion, not a thread.
class Deadline {
 public:
  Deadline(std::chrono::milliseconds timeout, std::function<void()> on_expiry);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

 private:
  std::uint64_t id_;
};

}  // namespace oxydra::runtime
