#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>
#include <system_error>

namespace oxydra::sys {

using Clock = std::chrono::steady_clock;

// Writes all of `bytes`, looping over EINTR, EAGAIN and partial writes; sockets
// get MSG_NOSIGNAL. Returns 0 or the errno of the failure. Async-signal-safe (no
// allocation, no locks), so it may run in a child between fork and exec.
int write_all(int fd, std::string_view bytes) noexcept;

// Like write_all for a socket whose peer may stop reading: gives up with
// ETIMEDOUT at `deadline` (the socket is non-blocking or has SO_SNDTIMEO).
// `written` tells how far it came.
std::error_code write_all(int fd, std::string_view bytes, Clock::time_point deadline,
                          std::size_t& written);

// Waits until `fd` reports one of `events` (poll(2) flags). ETIMEDOUT once
// `deadline` passes.
std::error_code wait_for(int fd, short events, Clock::time_point deadline);

// Milliseconds until `deadline` for poll(2), rounded up so a poll never returns
// early just before the deadline; 0 once it has passed.
int poll_timeout_ms(Clock::time_point deadline);

// Reads exactly `size` bytes into `out` by `deadline`; `got` tells how far it
// came. ENODATA when the stream ends first, ETIMEDOUT at the deadline.
std::error_code read_exact(int fd, char* out, std::size_t size, Clock::time_point deadline,
                           std::size_t& got);

}  // namespace oxydra::sys
