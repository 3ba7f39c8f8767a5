#pragma once

#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <asio/any_io_executor.hpp>

#include "session_manager.h"

namespace oxydra::shell_daemon {

struct DaemonConfig {
  std::size_t max_sessions = 64;
  std::size_t max_output_bytes = 64u << 10;
  std::size_t max_frame_bytes = 8u << 20;
  std::chrono::milliseconds kill_grace{2000};
  std::string default_shell = "/bin/sh";
  std::string server_name = "oxydra-shell-daemon/0.1.0";
};

// Names this daemon instance in `hello` (protocol.md §4.1), so that a client
// that reconnects can tell a restarted daemon, whose session ids start over,
// from the one it knew. Random; the fallback only has to differ from the last run.
inline std::string new_instance_id() {
  std::uint64_t words[2] = {};
  if (::getrandom(words, sizeof words, 0) != static_cast<ssize_t>(sizeof words)) {
    words[0] =
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    words[1] = static_cast<std::uint64_t>(::getpid());
  }
  constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (std::uint64_t word : words) {
    for (int shift = 60; shift >= 0; shift -= 4)
      id.push_back(kHex[(word >> shift) & 0xf]);
  }
  return id;
}

// What every connection shares.
struct ServerContext {
  ServerContext(const asio::any_io_executor& ex, DaemonConfig cfg)
      : executor(ex),
        config(std::move(cfg)),
        sessions(ex, config.max_sessions, config.default_shell) {}

  // The most output text one frame may carry for a request id of this length:
  // escaping can grow text six-fold (\u0000), and the frame must stay within
  // the limit the peer expects.
  std::size_t chunk_bytes(std::size_t request_id_bytes) const {
    constexpr std::size_t kMaxChunk = 64u << 10;
    const std::size_t overhead = 256 + 6 * request_id_bytes;
    if (config.max_frame_bytes <= overhead + 6) return 1;
    return std::clamp<std::size_t>((config.max_frame_bytes - overhead) / 6, 1, kMaxChunk);
  }

  asio::any_io_executor executor;
  DaemonConfig config;
  SessionManager sessions;
  std::string instance = new_instance_id();
  bool shutting_down = false;
};

}  // namespace oxydra::shell_daemon
