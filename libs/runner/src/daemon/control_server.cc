#include "daemon/control_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "daemon/agent_stats.h"
#include "daemon/no_throw.h"
#include "oxydra/sys/peer_cred.h"
#include "oxydra/types/frame.h"
#include "oxydra/types/message.h"

namespace oxydra::runner {

namespace {

using asio::local::stream_protocol;

std::optional<std::string> refusal(int fd, std::optional<gid_t> operator_gid) {
  auto peer = sys::peer_cred(fd);
  if (!peer) return std::string("no peer credentials");
  if (peer->uid == 0 || peer->uid == ::geteuid()) return std::nullopt;
  if (operator_gid && peer->in_group(*operator_gid)) return std::nullopt;
  return "peer uid " + std::to_string(peer->uid) + " (pid " + std::to_string(peer->pid) +
         ") is not root" + (operator_gid ? " or in the operator group" : "") +
         " (runner.toml policy.operator_group)";
}

}  // namespace

ControlServer::ControlServer(asio::io_context& io, ControlHandler& handler,
                             std::function<void()> on_shutdown)
    : io_(io), handler_(handler), on_shutdown_(std::move(on_shutdown)), acceptor_(io) {}

ControlServer::~ControlServer() {
  close();
}

Result<void> ControlServer::listen(const std::string& path, std::optional<gid_t> operator_gid) {
  std::error_code ec;
  acceptor_.open(stream_protocol(), ec);
  if (!ec) acceptor_.bind(stream_protocol::endpoint(path), ec);
  if (ec) return tl::unexpected(errno_error("bind control socket " + path, ec.value()));
  path_ = path;
  operator_gid_ = operator_gid;
  // The directory is the runner's alone, so these path calls cannot be raced.
  if (operator_gid &&
      ::fchownat(AT_FDCWD, path.c_str(), ::geteuid(), *operator_gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return tl::unexpected(errno_error("chown " + path, errno));
  }
  const mode_t mode = operator_gid ? 0660 : 0600;
  if (::fchmodat(AT_FDCWD, path.c_str(), mode, 0) != 0) {
    return tl::unexpected(errno_error("chmod " + path, errno));
  }
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return tl::unexpected(errno_error("listen on " + path, ec.value()));
  asio::co_spawn(io_, accept_loop(), asio::detached);
  return {};
}

void ControlServer::close() {
  std::error_code ec;
  if (acceptor_.is_open()) acceptor_.close(ec);
  for (const auto& socket : connections_)
    socket->close(ec);
  connections_.clear();
  if (!path_.empty()) {
    ::unlink(path_.c_str());
    path_.clear();
  }
}

asio::awaitable<void> ControlServer::accept_loop() {
  for (;;) {
    auto socket = std::make_shared<stream_protocol::socket>(io_);
    auto [ec] = co_await acceptor_.async_accept(*socket, kTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      spdlog::warn("control socket accept: {}", ec.message());
      continue;
    }
    connections_.insert(socket);
    asio::co_spawn(io_, serve(socket), asio::detached);
  }
}

asio::awaitable<void> ControlServer::serve(std::shared_ptr<stream_protocol::socket> socket) {
  if (auto why = refusal(socket->native_handle(), operator_gid_)) {
    spdlog::warn("control socket: refused a connection: {}", *why);
    const std::string frame = error_frame(std::nullopt, ErrorCode::peer_refused, *why);
    co_await asio::async_write(*socket, asio::buffer(frame), kTuple);
    std::error_code ignored;
    socket->close(ignored);
    connections_.erase(socket);
    co_return;
  }
  FrameDecoder decoder(kControlMaxRequestFrame);
  char buffer[8192];
  bool open = true;
  while (open) {
    auto [ec, n] = co_await socket->async_read_some(asio::buffer(buffer), kTuple);
    if (ec) break;
    decoder.feed(std::string_view(buffer, n));
    while (auto event = decoder.next()) {
      ControlReply reply;
      if (event->kind == FrameEvent::Kind::too_large) {
        reply.frame = error_frame(std::nullopt, ErrorCode::frame_too_large,
                                  "request frame of " + std::to_string(event->announced) +
                                      " bytes exceeds " + std::to_string(kControlMaxRequestFrame));
        open = false;
      } else if (event->kind == FrameEvent::Kind::zero_length) {
        reply.frame = error_frame(std::nullopt, ErrorCode::invalid_frame, "zero-length frame");
      } else if (auto message = parse_message(event->payload); !message) {
        reply.frame = error_frame(std::nullopt, ErrorCode::invalid_frame, message.error().message);
      } else if (message->op == control_rpc::kOpAgentStats) {
        // Waits for oxydra-vm: this connection's next request waits too,
        // the runner's other work does not.
        reply.frame = co_await agent_stats_reply(handler_, *message);
      } else {
        reply = dispatch(handler_, *message);
      }
      auto [write_ec, written] =
          co_await asio::async_write(*socket, asio::buffer(reply.frame), kTuple);
      if (write_ec) open = false;
      if (reply.shutdown_after) asio::post(io_, on_shutdown_);
      if (!open) break;
    }
  }
  std::error_code ignored;
  socket->close(ignored);
  connections_.erase(socket);
}

}  // namespace oxydra::runner
