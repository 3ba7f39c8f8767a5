#include "envelope_delivery.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>

#include "oxydra/types/frame.h"

namespace oxydra::runner {

namespace {

Result<void> write_all(int fd, const std::string& bytes, const std::string& what) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(errno_error(what, errno));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

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
  std::string payload = to_json(envelope).dump();
  std::string frame = encode_frame(payload);
  wipe(payload);
  auto written = write_all(fd, frame, "send the bootstrap envelope to " + guest);
  wipe(frame);
  return written;
}

Result<void> deliver_to_container(int fd, BootstrapEnvelope envelope,
                                  const std::string& guest_workspace, std::chrono::seconds timeout,
                                  const std::string& guest) {
  const std::string& ws = guest_workspace;
  envelope.workspace_root = ws;
  envelope.runtime_policy.mounts.shared = ws + "/shared";
  envelope.runtime_policy.mounts.tmp = ws + "/tmp";
  envelope.runtime_policy.mounts.vault = ws + "/vault";
  envelope.gateway.address = ws + "/ipc/gateway.sock";
  auto sent = deliver_envelope(fd, envelope, timeout, guest);
  for (auto& [name, value] : envelope.credentials)
    wipe(value);
  return sent;
}

}  // namespace oxydra::runner
