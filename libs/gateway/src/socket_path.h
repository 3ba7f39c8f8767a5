#pragma once

#include <string>

#include "oxydra/types/error.h"

namespace oxydra::gateway {

// Makes `path` ready to bind: the parent directory exists with mode 0700 (a
// looser existing one is tightened when we own it), and a stale socket left by
// an earlier run is removed. A socket someone still answers on is refused
// (code address_in_use), as is anything that is not a socket.
Result<void> prepare_socket_path(const std::string& path);

// After bind: the socket itself is 0600 (owner only).
Result<void> restrict_socket(const std::string& path);

}  // namespace oxydra::gateway
