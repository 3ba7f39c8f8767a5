#include "oxydra/shell_daemon/server.h"

#include <fcntl.h>
#include <signal.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "connection.h"
#include "listeners.h"
#include "orphan_reaper.h"
#include "server_context.h"

namespace oxydra::shell_daemon {

namespace {

using asio::use_awaitable;
using asio::experimental::as_tuple;

// How long a serial port rests after its peer went away before it is read again.
constexpr auto kSerialRetry = std::chrono::milliseconds(200);
// After the commands are gone: the most time final replies get to reach their clients.
constexpr auto kFlushTime = std::chrono::milliseconds(500);

class Server {
 public:
  explicit Server(const ServerOptions& options)
      : options_(options),
        context_(io_.get_executor(), config_from(options)),
        signals_(io_, SIGTERM, SIGINT),
        reaper_(io_.get_executor()) {}

  Result<void> listen() {
    if (!options_.socket_path.empty()) {
      auto listener = Listener::unix_socket(io_.get_executor(), options_.socket_path);
      if (!listener) return tl::unexpected(listener.error());
      listeners_.push_back(std::move(*listener));
    }
    if (options_.vsock_port) {
      auto listener = Listener::vsock(io_.get_executor(), *options_.vsock_port);
      if (!listener) return tl::unexpected(listener.error());
      listeners_.push_back(std::move(*listener));
    }
    if (!options_.serial_path.empty()) {
      auto fd = open_serial(options_.serial_path);
      if (!fd) return tl::unexpected(fd.error());
      serial_ = std::move(*fd);
    }
    return {};
  }

  void run() {
    for (auto& listener : listeners_) {
      listener->start(
          [this](sys::UniqueFd fd, const std::string& peer) { serve(std::move(fd), peer, true); });
      spdlog::info("listening on {}", listener->name());
    }
    if (serial_) {
      asio::co_spawn(io_, serve_serial(), [](const std::exception_ptr&) {});
      spdlog::info("serving serial:{}", options_.serial_path);
    }
    if (OrphanReaper::needed()) reaper_.start();
    signals_.async_wait([this](const std::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("signal {}: shutting down", sig);
      asio::co_spawn(io_, shutdown(), [](const std::exception_ptr&) {});
    });
    io_.run();
    // Let operations cancelled by the shutdown complete, so every coroutine
    // ends normally instead of being destroyed with the io_context.
    io_.restart();
    for (int i = 0; i < 100 && io_.poll() > 0; ++i) {
    }
  }

 private:
  static DaemonConfig config_from(const ServerOptions& o) {
    DaemonConfig config;
    config.max_sessions = o.max_sessions;
    config.max_output_bytes = o.max_output_bytes;
    config.max_frame_bytes = o.max_frame_bytes;
    config.kill_grace = o.kill_grace;
    config.default_shell = o.default_shell;
    return config;
  }

  std::shared_ptr<Connection> serve(sys::UniqueFd fd, const std::string& peer, bool half_close) {
    auto connection = std::make_shared<Connection>(
        asio::posix::stream_descriptor(io_, fd.release()), context_, peer, half_close);
    std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
    connections_.push_back(connection);
    spdlog::debug("{}: connected", peer);
    connection->start();
    return connection;
  }

  // One stream for the daemon's lifetime: each time the peer goes away (EOF),
  // the requests it had in flight are dropped with the connection, so a new
  // peer never receives a stale reply.
  asio::awaitable<void> serve_serial() {
    asio::steady_timer pause(io_);
    std::uint64_t generation = 0;
    while (!context_.shutting_down) {
      sys::UniqueFd fd(::fcntl(serial_.get(), F_DUPFD_CLOEXEC, 0));
      if (!fd) {
        spdlog::error("serial:{}: dup: {}", options_.serial_path, std::strerror(errno));
        co_return;
      }
      auto peer = fmt::format("serial:{}#{}", options_.serial_path, ++generation);
      auto connection = serve(std::move(fd), peer, false);
      co_await connection->wait_closed();
      if (context_.shutting_down) break;
      pause.expires_after(kSerialRetry);
      co_await pause.async_wait(as_tuple(use_awaitable));
    }
  }

  asio::awaitable<void> shutdown() {
    context_.shutting_down = true;
    for (auto& listener : listeners_)
      listener->close();
    reaper_.stop();
    context_.sessions.stop_all(StopReason::shutdown);
    const std::size_t running = context_.sessions.running();
    if (running > 0) spdlog::info("stopping {} running command(s)", running);
    co_await context_.sessions.wait_all_idle();
    for (auto& weak : connections_) {
      if (auto connection = weak.lock()) connection->close_after_flush();
    }
    // Final replies get a moment to reach their clients.
    asio::steady_timer flush(io_);
    const auto deadline = std::chrono::steady_clock::now() + kFlushTime;
    while (std::chrono::steady_clock::now() < deadline &&
           std::any_of(connections_.begin(), connections_.end(), [](const auto& weak) {
             auto connection = weak.lock();
             return connection && !connection->fully_closed();
           })) {
      flush.expires_after(std::chrono::milliseconds(10));
      co_await flush.async_wait(as_tuple(use_awaitable));
    }
    for (auto& weak : connections_) {
      if (auto connection = weak.lock()) connection->close();
    }
    serial_.reset();
    spdlog::info("shut down");
    io_.stop();
  }

  ServerOptions options_;
  asio::io_context io_{1};
  ServerContext context_;
  asio::signal_set signals_;
  OrphanReaper reaper_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::weak_ptr<Connection>> connections_;
  sys::UniqueFd serial_;
};

}  // namespace

Result<ServerOptions> validate(ServerOptions options) {
  if (options.socket_path.empty() && !options.vsock_port && options.serial_path.empty()) {
    return fail(ErrorCode::invalid_config,
                "nothing to listen on: give --socket, --vsock-port or --serial");
  }
  if (options.max_sessions == 0)
    return fail(ErrorCode::invalid_config, "max sessions must be at least 1");
  if (options.max_frame_bytes < kMinFrameBytes || options.max_frame_bytes > 0xffffffffu) {
    return fail(ErrorCode::invalid_config, fmt::format("max frame bytes must be between {} and {}",
                                                       kMinFrameBytes, 0xffffffffu));
  }
  if (options.default_shell.empty())
    return fail(ErrorCode::invalid_config, "default shell is empty");
  return options;
}

int run(const ServerOptions& raw_options) {
  auto options = validate(raw_options);
  if (!options) {
    spdlog::error("{}", options.error().message);
    return 2;
  }
  // Writes to a vanished peer must fail with EPIPE, not kill the daemon.
  // Commands get default dispositions back (process.cc).
  ::signal(SIGPIPE, SIG_IGN);
  Server server(*options);
  if (auto listening = server.listen(); !listening) {
    spdlog::error("{}", listening.error().message);
    return 1;
  }
  server.run();
  return 0;
}

}  // namespace oxydra::shell_daemon
