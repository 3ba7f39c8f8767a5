#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "oxydra/types/error.h"

namespace oxydra::shell_daemon {

// Everything the shell daemon is told at start (apps/shell-daemon flags).
struct ServerOptions {
  std::string socket_path;                  // Unix socket; a stale one is replaced
  std::optional<std::uint32_t> vsock_port;  // AF_VSOCK, any CID
  std::string serial_path;                  // a device opened once and served as one stream
  std::size_t max_sessions = 64;
  std::size_t max_output_bytes = 64u << 10;
  std::size_t max_frame_bytes = 8u << 20;
  std::chrono::milliseconds kill_grace{2000};  // TERM to KILL on timeout, cancel, kill
  std::string default_shell = "/bin/sh";
};

inline constexpr std::size_t kMinFrameBytes = 4096;

// At least one listener, limits in range.
Result<ServerOptions> validate(ServerOptions options);

// Serves until SIGTERM or SIGINT, then kills every running command's process
// group, reaps it, and returns 0. Returns non-zero (after logging why) when a
// listener cannot be set up.
int run(const ServerOptions& options);

}  // namespace oxydra::shell_daemon
