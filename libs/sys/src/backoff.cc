#include "oxydra/sys/backoff.h"

#include <algorithm>
#include <thread>

namespace oxydra::sys {

bool Backoff::pause_before(Clock::time_point deadline) {
  if (Clock::now() + pause_ >= deadline) return false;
  std::this_thread::sleep_for(pause_);
  pause_ = std::min(pause_ * 2, std::max(most_, pause_));
  return true;
}

}  // namespace oxydra::sys
