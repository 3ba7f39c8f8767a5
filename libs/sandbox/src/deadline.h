#pragma once

#include "oxydra/sys/io.h"

namespace oxydra::sandbox {

using sys::Clock;
using sys::poll_timeout_ms;

inline bool expired(Clock::time_point deadline) {
  return Clock::now() >= deadline;
}

}  // namespace oxydra::sandbox
