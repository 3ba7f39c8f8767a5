#pragma once

#include <algorithm>
#include <chrono>
#include <climits>

namespace oxydra::sandbox {

using Clock = std::chrono::steady_clock;

// Milliseconds until `deadline` for poll(2), rounded up so a poll never returns
// early just before the deadline; 0 once it has passed.
inline int poll_timeout_ms(Clock::time_point deadline) {
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

inline bool expired(Clock::time_point deadline) {
  return Clock::now() >= deadline;
}

}  // namespace oxydra::sandbox
