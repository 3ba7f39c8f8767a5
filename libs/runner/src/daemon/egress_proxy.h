#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// The guests' only way out (docs/security.md): a SOCKS5 server (RFC 1928,
// CONNECT, no authentication) on a Unix socket in the user's ipc/egress/,
// served by the runner in the host's network namespace. A guest has no
// network of its own; oxydra-vm's provider client and, with shell_network,
// the shell's tools connect through here. Names are resolved here, and every
// resolved address is checked with egress_refusal(): nothing on the host
// (loopback, its own addresses), no link-local metadata, unless the operator
// listed "ip:port" in policy.egress_allow. Only `guest_uid` may connect
// (SO_PEERCRED).
class EgressProxy {
 public:
  static Result<std::unique_ptr<EgressProxy>> open(asio::io_context& io, const std::string& path,
                                                   uid_t guest_uid,
                                                   std::vector<std::string> allowed);
  ~EgressProxy();
  EgressProxy(const EgressProxy&) = delete;
  EgressProxy& operator=(const EgressProxy&) = delete;

  const std::string& path() const { return path_; }

 private:
  EgressProxy(asio::io_context& io, std::string path, uid_t guest_uid,
              std::vector<std::string> allowed);
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(asio::local::stream_protocol::socket client);

  asio::io_context& io_;
  std::string path_;
  uid_t guest_uid_;
  std::vector<std::string> allowed_;
  asio::local::stream_protocol::acceptor acceptor_;
  std::shared_ptr<int> connections_ = std::make_shared<int>(0);
};

}  // namespace oxydra::runner
