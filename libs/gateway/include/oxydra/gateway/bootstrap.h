#pragma once

#include <chrono>
#include <string>

#include "oxydra/types/envelope.h"
#include "oxydra/types/error.h"

namespace oxydra::gateway {

// Where oxydra-vm reads its one bootstrap frame (protocol.md §3).
struct BootstrapInput {
  enum class Kind { fd, unix_socket, stdin_stream };
  Kind kind = Kind::fd;
  int fd = -1;              // Kind::fd: an inherited socketpair end, closed after reading
  std::string socket_path;  // Kind::unix_socket: the runner's socket, connected to once
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // connect and read
};

// Reads one frame (at most kBootstrapMaxFrame) and validates it. Error codes:
// `invalid_envelope` (oversized or empty frame, not JSON, a broken §3 rule)
// and `bootstrap_failed` (the frame could not be read). Messages are one line
// and never contain a credential value.
Result<BootstrapEnvelope> read_bootstrap(const BootstrapInput& input);

// The same from a frame payload already read; the payload is wiped afterwards,
// since it holds the secrets.
Result<BootstrapEnvelope> parse_bootstrap_payload(std::string& payload);

}  // namespace oxydra::gateway
