#pragma once

#include <sys/socket.h>

#include <string>
#include <system_error>

#include "oxydra/sys/io.h"
#include "oxydra/sys/unique_fd.h"

namespace oxydra::sys {

// Whether the socket stays non-blocking once connected.
enum class FdMode { blocking, nonblocking };

// connect(2) for a non-blocking socket of any family, waiting for it to
// complete until `deadline` (ETIMEDOUT then).
std::error_code connect_until(int fd, const sockaddr* address, socklen_t length,
                              Clock::time_point deadline);

// One connection attempt to a Unix stream socket, given up at `deadline`. The
// descriptor is close-on-exec. On failure it is empty and `error` says why.
UniqueFd connect_unix_once(const std::string& path, Clock::time_point deadline, FdMode mode,
                           std::error_code& error);

// True for a failure that may clear up by itself: the peer is not there yet
// (socket absent, refusing, backlog full) or went away while connecting.
bool connect_retryable(std::error_code error);

// Attempts again, with a growing pause (10 ms up to 200 ms), while the failure
// is retryable and `deadline` has not passed.
UniqueFd connect_unix(const std::string& path, Clock::time_point deadline, FdMode mode,
                      std::error_code& error);

}  // namespace oxydra::sys
