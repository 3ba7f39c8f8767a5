#pragma once

#include <chrono>

#include "oxydra/sys/io.h"

namespace oxydra::sys {

// The pauses between attempts at something that may not be ready yet: from
// `first`, doubling up to `most`.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds first, std::chrono::milliseconds most)
      : pause_(first), most_(most) {}

  // Sleeps the next pause and returns true; false at once when the pause would
  // reach `deadline` (time to report the last failure instead).
  bool pause_before(Clock::time_point deadline);

 private:
  std::chrono::milliseconds pause_;
  std::chrono::milliseconds most_;
};

}  // namespace oxydra::sys
