#include "backends/envelope_delivery.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>

#include "backends/container/container_guest.h"
#include "oxydra/sys/io.h"
#include "oxydra/types/frame.h"

namespace oxydra::runner {

namespace {

void wipe(std::string& secret) {
  volatile char* p = secret.data();
  for (std::size_t i = 0; i < secret.size(); ++i)
    p[i] = 0;
  secret.clear();
}

}  // namespace

Result<void> deliver_envelope(int fd, const BootstrapEnvelope& envelope,
                              std::chrono::seconds timeout, const std::string& guest) {
  if (auto valid = validate_bootstrap_envelope(envelope); !valid) {
    return tl::unexpected(with_context(valid.error(), "bootstrap envelope"));
  }
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const auto deadline = sys::Clock::now() + timeout;
  std::string payload = to_json(envelope).dump();
  std::string frame = encode_frame(payload);
  wipe(payload);
  std::size_t sent = 0;
  const auto error = sys::write_all(fd, frame, deadline, sent);
  wipe(frame);
  if (error) {
    return tl::unexpected(errno_error("send the bootstrap envelope to " + guest, error.value()));
  }
  return {};
}

Result<void> deliver_to_container(int fd, BootstrapEnvelope envelope,
                                  const std::string& guest_workspace, std::chrono::seconds timeout,
                                  const std::string& guest) {
  const std::string& ws = guest_workspace;
  envelope.workspace_root = ws;
  envelope.runtime_policy.mounts.shared = ws + "/shared";
  envelope.runtime_policy.mounts.tmp = ws + "/tmp";
  envelope.runtime_policy.mounts.vault = ws + "/vault";
  envelope.gateway.address = ws + "/ipc/gateway/gateway.sock";
  if (envelope.egress_proxy) envelope.egress_proxy->address = kGuestEgressSocket;
  auto sent = deliver_envelope(fd, envelope, timeout, guest);
  for (auto& [name, value] : envelope.credentials)
    wipe(value);
  return sent;
}

}  // namespace oxydra::runner
