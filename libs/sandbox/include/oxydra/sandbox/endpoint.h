#pragma once

#include <cstdint>
#include <string>

#include "oxydra/types/envelope.h"
#include "oxydra/types/error.h"

namespace oxydra::sandbox {

// A sidecar endpoint as the bootstrap envelope spells it (protocol.md §3).
// Address formats:
//   unix               PATH of the daemon's Unix socket
//   vsock              CID:PORT (AF_VSOCK)
//   firecracker_vsock  PATH:PORT: Firecracker's host-side vsock Unix socket and
//                      the guest port the daemon listens on
//   virtio_serial      PATH of the host Unix socket the VMM bridges to the port
struct SidecarEndpoint {
  std::string transport{};
  std::string address{};
};

// A validated endpoint, ready to connect.
struct ParsedEndpoint {
  ChannelTransport transport = ChannelTransport::unix_socket;
  std::string path{};      // unix, firecracker_vsock, virtio_serial
  std::uint32_t cid = 0;   // vsock
  std::uint32_t port = 0;  // vsock, firecracker_vsock

  // "unix:/x/ipc/shell.sock", "vsock:3:5000", "firecracker_vsock:/x/v.sock:5000".
  std::string describe() const;
  // What error messages name: the socket path, or "vsock CID:PORT".
  std::string object() const;
};

// Error codes: sidecar_transport_unsupported for an unknown transport,
// sidecar_endpoint_invalid for a blank or malformed address.
Result<ParsedEndpoint> parse_endpoint(const SidecarEndpoint& endpoint);
Result<ParsedEndpoint> parse_endpoint(const ChannelEndpoint& endpoint);

}  // namespace oxydra::sandbox
