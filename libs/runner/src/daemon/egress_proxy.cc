#include "daemon/egress_proxy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>

#include <spdlog/spdlog.h>

#include "daemon/egress_policy.h"
#include "daemon/no_throw.h"
#include "daemon/socks_request.h"
#include "oxydra/sys/peer_cred.h"
#include "oxydra/sys/utf8.h"

namespace oxydra::runner {

namespace {

using asio::ip::tcp;
using asio::local::stream_protocol;
constexpr int kMaxConnections = 64;
constexpr std::chrono::seconds kHandshakeTimeout{15};
constexpr std::chrono::seconds kConnectTimeout{30};

// RFC 1928 reply codes.
enum Reply : std::uint8_t {
  kSucceeded = 0,
  kGeneralFailure = 1,
  kNotAllowed = 2,
  kHostUnreachable = 4,
  kConnectionRefused = 5,
  kCommandNotSupported = 7,
};

asio::awaitable<bool> read_exactly(stream_protocol::socket& socket, void* out, std::size_t n) {
  auto [ec, got] = co_await asio::async_read(socket, asio::buffer(out, n), kTuple);
  co_return !ec && got == n;
}

asio::awaitable<void> reply(stream_protocol::socket& socket, Reply code) {
  const std::array<std::uint8_t, 10> bytes = {5, code, 0, 1, 0, 0, 0, 0, 0, 0};
  co_await asio::async_write(socket, asio::buffer(bytes), kTuple);
}

template <typename From, typename To>
asio::awaitable<void> relay(std::shared_ptr<From> from, std::shared_ptr<To> to) {
  std::array<char, 16384> buffer;
  for (;;) {
    auto [ec, n] = co_await from->async_read_some(asio::buffer(buffer), kTuple);
    if (n > 0) {
      auto [write_ec, written] =
          co_await asio::async_write(*to, asio::buffer(buffer.data(), n), kTuple);
      if (write_ec) break;
    }
    if (ec) break;
  }
  std::error_code ignored;
  to->shutdown(asio::socket_base::shutdown_send, ignored);
}

// What the guest asked for, printable in a log line.
std::string printable(const std::string& host, std::uint16_t port) {
  return sys::escape_controls(sys::sanitize_utf8(host)) + ":" + std::to_string(port);
}

}  // namespace

EgressProxy::EgressProxy(asio::io_context& io, std::string path, uid_t guest_uid,
                         std::vector<std::string> allowed)
    : io_(io),
      path_(std::move(path)),
      guest_uid_(guest_uid),
      allowed_(std::move(allowed)),
      acceptor_(io) {}

EgressProxy::~EgressProxy() {
  std::error_code ignored;
  acceptor_.close(ignored);
  ::unlink(path_.c_str());
}

Result<std::unique_ptr<EgressProxy>> EgressProxy::open(asio::io_context& io,
                                                       const std::string& path, uid_t guest_uid,
                                                       std::vector<std::string> allowed) {
  std::unique_ptr<EgressProxy> proxy(new EgressProxy(io, path, guest_uid, std::move(allowed)));
  ::unlink(path.c_str());
  std::error_code ec;
  proxy->acceptor_.open(stream_protocol(), ec);
  const mode_t previous = ::umask(0117);
  if (!ec) proxy->acceptor_.bind(stream_protocol::endpoint(path), ec);
  ::umask(previous);
  if (ec) return tl::unexpected(errno_error("bind egress proxy " + path, ec.value()));
  // The runner's socket, 0660, the guest's group: the directory is the
  // runner's (0711), so the guest can neither swap the name nor chmod it.
  if (::fchownat(AT_FDCWD, path.c_str(), ::geteuid(), guest_uid, AT_SYMLINK_NOFOLLOW) != 0)
    return tl::unexpected(errno_error("chown " + path, errno));
  proxy->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return tl::unexpected(errno_error("listen on " + path, ec.value()));
  asio::co_spawn(io, proxy->accept_loop(), asio::detached);
  return proxy;
}

asio::awaitable<void> EgressProxy::accept_loop() {
  for (;;) {
    stream_protocol::socket socket(io_);
    auto [ec] = co_await acceptor_.async_accept(socket, kTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) continue;
    auto peer = sys::peer_cred(socket.native_handle());
    if (!peer || (peer->uid != guest_uid_ && peer->uid != 0)) {
      spdlog::warn("egress proxy: refused a connection from uid {} (the guest is uid {})",
                   peer ? static_cast<long>(peer->uid) : -1L, static_cast<long>(guest_uid_));
      continue;
    }
    if (*connections_ >= kMaxConnections) {
      spdlog::warn("egress proxy: {} connections open; refusing another", kMaxConnections);
      continue;
    }
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> EgressProxy::serve(stream_protocol::socket raw_client) {
  auto client = std::make_shared<stream_protocol::socket>(std::move(raw_client));
  auto counter = connections_;
  ++*counter;
  struct Release {
    std::shared_ptr<int> counter;
    ~Release() { --*counter; }
  } release{counter};

  asio::steady_timer deadline(io_, kHandshakeTimeout);
  deadline.async_wait([client](const std::error_code& ec) {
    std::error_code ignored;
    if (!ec) client->close(ignored);
  });

  // Read exactly what each message announces, never past it.
  std::string bytes;
  SocksGreeting greeting;
  while ((greeting = parse_socks_greeting(bytes)).status == SocksStatus::incomplete) {
    const std::size_t at = bytes.size();
    bytes.resize(at + greeting.needed);
    if (!co_await read_exactly(*client, bytes.data() + at, greeting.needed)) co_return;
  }
  if (greeting.status == SocksStatus::invalid) co_return;
  const std::array<std::uint8_t, 2> choice = {
      5, static_cast<std::uint8_t>(greeting.no_auth ? 0 : 0xff)};
  co_await asio::async_write(*client, asio::buffer(choice), kTuple);
  if (!greeting.no_auth) co_return;

  bytes.clear();
  SocksRequest request;
  while ((request = parse_socks_request(bytes)).status == SocksStatus::incomplete) {
    const std::size_t at = bytes.size();
    bytes.resize(at + request.needed);
    if (!co_await read_exactly(*client, bytes.data() + at, request.needed)) co_return;
  }
  if (request.status == SocksStatus::invalid) {
    co_await reply(*client, static_cast<Reply>(request.reply_if_invalid));
    co_return;
  }
  if (request.command != 1) {  // CONNECT only: no BIND, no UDP ASSOCIATE
    co_await reply(*client, kCommandNotSupported);
    co_return;
  }
  const std::string& host = request.host;
  const std::uint16_t port = request.port;

  tcp::resolver resolver(io_);
  auto [resolve_ec, results] = co_await resolver.async_resolve(host, std::to_string(port), kTuple);
  if (resolve_ec) {
    spdlog::info("egress: {}: cannot resolve: {}", printable(host, port), resolve_ec.message());
    co_await reply(*client, kHostUnreachable);
    co_return;
  }
  const auto own = host_addresses();
  std::vector<tcp::endpoint> permitted;
  std::string refusal;
  for (const auto& entry : results) {
    const auto address = parse_ip(entry.endpoint().address().to_string());
    if (!address) continue;
    if (auto why = egress_refusal(*address, port, allowed_, own)) {
      refusal = entry.endpoint().address().to_string() + " is " + *why;
      continue;
    }
    permitted.push_back(entry.endpoint());
  }
  if (permitted.empty()) {
    spdlog::warn("egress: refused {}: {} (runner.toml policy.egress_allow lists exceptions)",
                 printable(host, port), refusal.empty() ? "no usable address" : refusal);
    co_await reply(*client, kNotAllowed);
    co_return;
  }

  auto upstream = std::make_shared<tcp::socket>(io_);
  deadline.expires_after(kConnectTimeout);
  deadline.async_wait([upstream](const std::error_code& ec) {
    std::error_code ignored;
    if (!ec) upstream->close(ignored);
  });
  auto [connect_ec, endpoint] = co_await asio::async_connect(*upstream, permitted, kTuple);
  deadline.cancel();
  if (connect_ec) {
    co_await reply(*client, connect_ec == asio::error::connection_refused ? kConnectionRefused
                                                                          : kGeneralFailure);
    co_return;
  }
  co_await reply(*client, kSucceeded);
  asio::co_spawn(io_, relay(upstream, client), asio::detached);
  co_await relay(client, upstream);
}

}  // namespace oxydra::runner
