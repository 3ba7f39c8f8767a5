#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "oxydra/sys/io.h"
#include "oxydra/types/error.h"

namespace oxydra::gateway {

using sys::Clock;

// Reads exactly one frame (prefix + payload) and nothing after it. Errors
// name `what`: "<what> of 2000000 bytes exceeds the limit of 1048576" (code
// frame_too_large), "<what> is empty (zero length)" (invalid_frame),
// "<what>: stream ended after 3 of 20 bytes" (truncated), "<what>: timed out"
// (timeout), or an io error.
Result<std::string> read_one_frame(int fd, std::size_t max_frame_bytes, Clock::time_point deadline,
                                   std::string_view what);

}  // namespace oxydra::gateway
