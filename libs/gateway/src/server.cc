#include "oxydra/gateway/server.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <list>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>
#include <asio.hpp>

#include "connection.h"
#include "hub.h"
#include "no_throw.h"
#include "oxydra/sys/peer_cred.h"
#include "socket_path.h"

namespace oxydra::gateway {

namespace {
using Protocol = asio::local::stream_protocol;

// The gateway is meant for the user's operator tools: the runner and its CLI
// (root outside the guest's user namespace, so unmapped here and seen as the
// overflow uid) and processes of the guest's own uid. The socket's directory
// (0700) already keeps everyone else out; this check says so in the log.
std::optional<std::string> peer_refusal(int fd) {
  auto peer = sys::peer_cred(fd);
  if (!peer) return std::string("no peer credentials");
  static const uid_t overflow = [] {
    unsigned long value = 65534;
    if (std::FILE* f = std::fopen("/proc/sys/kernel/overflowuid", "r")) {
      if (std::fscanf(f, "%lu", &value) != 1) value = 65534;
      std::fclose(f);
    }
    return static_cast<uid_t>(value);
  }();
  if (peer->uid == 0 || peer->uid == ::geteuid() || peer->uid == overflow) return std::nullopt;
  return "peer uid " + std::to_string(peer->uid) + " is neither this guest's uid nor root";
}

}  // namespace

class Server::Impl {
 public:
  Impl(AgentSetup setup, ServerOptions options)
      : setup_(std::move(setup)),
        options_(options),
        hub_(std::make_unique<Hub>(
            setup_, [this](std::function<void()> fn) { asio::post(io_, std::move(fn)); })),
        acceptor_(io_),
        signals_(io_),
        grace_(io_) {}

  Result<void> listen() {
    const std::string& path = setup_.gateway_socket;
    if (auto ready = prepare_socket_path(path); !ready) return ready;
    asio::error_code ec;
    acceptor_.open(Protocol(), ec);
    if (!ec) acceptor_.bind(Protocol::endpoint(path), ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(ErrorCode::io, "listen on " + path + ": " + ec.message());
    return restrict_socket(path);
  }

  int run() {
    if (options_.handle_signals) {
      signals_.add(SIGTERM);
      signals_.add(SIGINT);
      wait_signal();
    }
    asio::co_spawn(io_, accept_loop(), asio::detached);
    spdlog::info("gateway listening on {}", setup_.gateway_socket);
    io_.run();
    if (!hub_->idle()) {
      // A turn ignored its cancellation past the grace period; joining it
      // could hang forever, and the process is stopping anyway.
      spdlog::error("gateway: turns still running after the shutdown grace; exiting");
      std::fflush(nullptr);
      ::_exit(1);
    }
    ::unlink(setup_.gateway_socket.c_str());
    return 0;
  }

  void stop() {
    asio::post(io_, [this] { begin_shutdown("stop requested"); });
  }

  const AgentSetup& setup() const { return setup_; }

 private:
  asio::awaitable<void> accept_loop() {
    while (!stopping_) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) co_return;
        spdlog::warn("gateway: accept: {}", ec.message());
        continue;
      }
      if (auto why = peer_refusal(socket.native_handle())) {
        spdlog::warn("gateway: refused a connection: {}", *why);
        asio::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto connection = std::make_shared<Connection>(
          std::move(socket), *hub_, [this](Connection* closed) { on_closed(closed); });
      connections_.push_back(connection);
      connection->start();
    }
  }

  void on_closed(Connection* closed) {
    connections_.remove_if([closed](const std::weak_ptr<Connection>& weak) {
      auto c = weak.lock();
      return !c || c.get() == closed;
    });
    maybe_finish();
  }

  void wait_signal() {
    signals_.async_wait([this](const asio::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGINT && options_.sigint_cancels_turns && !stopping_) {
        if (const std::size_t n = hub_->cancel_all(); n > 0) {
          spdlog::info("SIGINT: cancelled {} running turn(s)", n);
          wait_signal();
          return;
        }
      }
      begin_shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
      wait_signal();
    });
  }

  void begin_shutdown(const char* why) {
    if (stopping_) return;
    stopping_ = true;
    spdlog::info("gateway stopping ({})", why);
    asio::error_code ignored;
    acceptor_.close(ignored);
    hub_->cancel_all();
    grace_.expires_after(options_.shutdown_grace);
    grace_.async_wait([this](const asio::error_code& ec) {
      if (!ec) io_.stop();
    });
    hub_->set_on_idle([this] { close_connections(); });
    if (hub_->idle()) close_connections();
  }

  // Every turn has sent its turn_complete: flush and close the connections.
  void close_connections() {
    for (auto& weak : connections_) {
      if (auto c = weak.lock()) c->close_after_flush();
    }
    closing_ = true;
    maybe_finish();
  }

  void maybe_finish() {
    if (!closing_ || !connections_.empty()) return;
    signals_.cancel();
    grace_.cancel();
    io_.stop();
  }

  AgentSetup setup_;
  ServerOptions options_;
  // Declared before io_ so it outlives the connections that io_'s coroutines
  // hold; it is only posted to once io_ exists.
  std::unique_ptr<Hub> hub_;
  asio::io_context io_{1};
  Protocol::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer grace_;
  std::list<std::weak_ptr<Connection>> connections_;
  bool stopping_ = false;
  bool closing_ = false;
};

Result<std::unique_ptr<Server>> Server::listen(AgentSetup setup, ServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(setup), options);
  if (auto listening = impl->listen(); !listening) return tl::unexpected(listening.error());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

int Server::run() {
  return impl_->run();
}

void Server::stop() {
  impl_->stop();
}

const AgentSetup& Server::setup() const {
  return impl_->setup();
}

}  // namespace oxydra::gateway
