#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "oxydra/sandbox/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::gateway {

// Blocking helpers for the two places that do plain socket I/O outside asio:
// reading the bootstrap frame and the gateway client.

using Clock = std::chrono::steady_clock;

// Connects to a Unix stream socket, retrying while it is absent or refusing
// until `timeout` has passed. The descriptor is blocking and close-on-exec.
Result<sandbox::UniqueFd> connect_unix(const std::string& path, std::chrono::milliseconds timeout);

// Reads exactly one frame (prefix + payload) and nothing after it. Errors
// name `what`: "<what> of 2000000 bytes exceeds the limit of 1048576" (code
// frame_too_large), "<what> is empty (zero length)" (invalid_frame),
// "<what>: stream ended after 3 of 20 bytes" (truncated), "<what>: timed out"
// (timeout), or an io error.
Result<std::string> read_one_frame(int fd, std::size_t max_frame_bytes, Clock::time_point deadline,
                                   std::string_view what);

// Writes everything, retrying on EINTR; MSG_NOSIGNAL for sockets.
Result<void> write_all(int fd, std::string_view bytes, std::string_view what);

}  // namespace oxydra::gateway
