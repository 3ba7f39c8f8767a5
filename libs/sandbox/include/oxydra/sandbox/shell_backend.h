#pragma once

#include <memory>
#include <optional>

#include "oxydra/sandbox/daemon_client.h"
#include "oxydra/sandbox/endpoint.h"
#include "oxydra/sandbox/shell_session.h"
#include "oxydra/sandbox/status.h"

namespace oxydra::sandbox {

// Where shell sessions come from: the shell daemon behind the sidecar endpoint,
// the local host (development), or nowhere, with the reason.
class ShellBackend {
 public:
  virtual ~ShellBackend() = default;
  virtual Availability status() const = 0;
  // A new session, not yet spawned. When the backend is unavailable, a session
  // whose status is the backend's and whose calls fail with its code.
  virtual std::unique_ptr<ShellSession> new_session() = 0;
};

// Connects to the shell daemon at the envelope's sidecar endpoint and checks
// its hello. When that fails, the backend is unavailable with the degraded
// reason code of protocol.md §3:
//   unknown transport               sidecar_transport_unsupported
//   blank or malformed address      sidecar_endpoint_invalid
//   absent or refusing socket       sidecar_connection_failed (after the
//                                   ConnectOptions deadline)
//   failed or unexpected hello      sidecar_protocol_error
std::unique_ptr<ShellBackend> open_shell_backend(const SidecarEndpoint& endpoint,
                                                 const DaemonClientOptions& options = {});
// Absent endpoint: unavailable with sidecar_unavailable.
std::unique_ptr<ShellBackend> open_shell_backend(const std::optional<ChannelEndpoint>& endpoint,
                                                 const DaemonClientOptions& options = {});
// Sessions on a client already connected.
std::unique_ptr<ShellBackend> daemon_shell_backend(std::shared_ptr<DaemonClient> client);
// LocalProcessShellSession: unisolated, status insecure_process_tier.
std::unique_ptr<ShellBackend> local_shell_backend();
std::unique_ptr<ShellBackend> unavailable_shell_backend(Availability reason);

// One session straight from an endpoint; check its status() before use.
std::unique_ptr<ShellSession> open_shell_session(const SidecarEndpoint& endpoint,
                                                 const DaemonClientOptions& options = {});
std::unique_ptr<ShellSession> unavailable_shell_session(Availability reason);

}  // namespace oxydra::sandbox
