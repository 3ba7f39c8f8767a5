#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <asio.hpp>

#include "daemon/control_dispatch.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// The runner's control socket (protocol.md §5): a Unix socket in the user's
// control/ directory, which only the runner owns: mode 0600, or 0660 with the
// operator group. Every connection's peer is checked (SO_PEERCRED): root, the
// runner's own uid or a member of the operator group; anyone else gets one
// peer_refused error and is disconnected. One coroutine per connection on the
// runner's io_context; requests on a connection are answered in order.
class ControlServer {
 public:
  ControlServer(asio::io_context& io, ControlHandler& handler, std::function<void()> on_shutdown);
  ~ControlServer();

  // Binds (the path must not exist: stale sockets are removed under the lock).
  Result<void> listen(const std::string& path, std::optional<gid_t> operator_gid = std::nullopt);
  // Stops accepting, closes every connection and removes the socket file.
  void close();

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(std::shared_ptr<asio::local::stream_protocol::socket> socket);

  asio::io_context& io_;
  ControlHandler& handler_;
  std::function<void()> on_shutdown_;
  asio::local::stream_protocol::acceptor acceptor_;
  std::set<std::shared_ptr<asio::local::stream_protocol::socket>> connections_;
  std::string path_;
  std::optional<gid_t> operator_gid_;
};

}  // namespace oxydra::runner
