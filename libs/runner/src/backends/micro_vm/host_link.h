#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "oxydra/sandbox/endpoint.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"
#include "oxydra/vmlink/link.h"

namespace oxydra::runner {

// The host's end of one VM's link (libs/vmlink): connected to the VMM's
// socket for the guest's link port and served on its own thread, so the
// runner's loop never waits on a guest.
class HostLink {
 public:
  // Connects to the guest's link (a VMM's socket; for Firecracker with the
  // vsock handshake), retrying until `timeout` or until `gone` says the VMM
  // ended (its answer is the error).
  static Result<std::unique_ptr<HostLink>> connect(
      const sandbox::ParsedEndpoint& endpoint, vmlink::LinkOptions options,
      std::chrono::milliseconds timeout, const std::function<std::optional<std::string>()>& gone);
  ~HostLink();
  HostLink(const HostLink&) = delete;
  HostLink& operator=(const HostLink&) = delete;

  // The guest's hello ("kernel=6.1.0-..."), once it came, within `timeout`.
  Result<std::string> wait_hello(std::chrono::milliseconds timeout,
                                 const std::function<std::optional<std::string>()>& gone);
  // Asks the guest's init to stop its program (then the VM powers off).
  void request_shutdown() { link_->request_shutdown(); }
  std::size_t open_channels() const { return link_->open_channels(); }

 private:
  HostLink() = default;

  std::unique_ptr<vmlink::Link> link_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<std::string> hello_;
  std::optional<std::string> ended_;  // why the link ended
};

// A connection to a guest port (the link, the envelope): the VMM's Unix
// socket, or Firecracker's with "CONNECT <port>"; retried until `timeout`
// or until `gone` has an answer.
Result<sys::UniqueFd> connect_guest_port(const sandbox::ParsedEndpoint& endpoint,
                                         std::chrono::milliseconds timeout,
                                         const std::function<std::optional<std::string>()>& gone);

// A Unix socket the runner listens on for a link's forward: made fresh at
// `path` (a stale one replaced), mode 0600, root's.
Result<vmlink::Forward> host_forward(const std::string& path, const std::string& service);

// Admits only root (and the runner's own uid) at the host end of a forward:
// the sockets live in root's 0700 directories, and this says so again.
std::string admit_root_only(int fd, const std::string& service);

}  // namespace oxydra::runner
