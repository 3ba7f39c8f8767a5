#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "oxydra/sandbox/endpoint.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::sandbox {

struct ConnectOptions {
  // How long to keep retrying while the peer is not there yet: the socket is
  // absent or refuses, or a Firecracker guest is not listening yet. The last
  // attempt's failure is reported once it has passed.
  std::chrono::milliseconds deadline{10'000};
  // Bound on one attempt (connect, and the Firecracker exchange); an attempt
  // started before the deadline may finish after it.
  std::chrono::milliseconds attempt_timeout{5'000};
  std::chrono::milliseconds initial_backoff{20};
  std::chrono::milliseconds max_backoff{500};
};

// A connected, non-blocking, close-on-exec stream socket to the endpoint; for
// firecracker_vsock the CONNECT handshake is done. Error codes:
// sidecar_connection_failed, or sidecar_protocol_error when a Firecracker peer
// kept answering something other than OK.
Result<sys::UniqueFd> connect_endpoint(const ParsedEndpoint& endpoint,
                                       const ConnectOptions& options);

// Firecracker's host-initiated vsock handshake (its docs/vsock.md): the host
// writes "CONNECT <port>\n" on the vsock Unix socket and Firecracker answers
// "OK <host_port>\n" once the guest accepted. The number after OK is the
// host-side port Firecracker assigned, not the guest port, so any number is
// accepted. Untested against a real Firecracker (no usable KVM here).
std::string firecracker_connect_line(std::uint32_t port);
// One line without its '\n'. Error code sidecar_protocol_error.
Result<std::uint32_t> parse_firecracker_ack(std::string_view line);

}  // namespace oxydra::sandbox
