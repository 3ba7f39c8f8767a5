#include "listeners.h"

#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace oxydra::shell_daemon {

namespace {

using asio::use_awaitable;
using asio::experimental::as_tuple;

Result<sockaddr_un> unix_address(const std::string& path) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return fail(ErrorCode::invalid_config,
                fmt::format("socket path {}: {} bytes, the limit is {}", path, path.size(),
                            sizeof(addr.sun_path) - 1));
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// A socket file nobody answers on is left over from a daemon that died.
Result<void> remove_stale_socket(const std::string& path, const sockaddr_un& addr) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return tl::unexpected(errno_error("stat " + path, errno));
  }
  if (!S_ISSOCK(st.st_mode)) return fail(ErrorCode::io, path + ": exists and is not a socket");
  sys::UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe &&
      ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
    return fail(ErrorCode::io, path + ": another server is listening there");
  }
  if (::unlink(path.c_str()) != 0) return tl::unexpected(errno_error("unlink " + path, errno));
  spdlog::info("removed stale socket {}", path);
  return {};
}

}  // namespace

Listener::Listener(const asio::any_io_executor& executor, sys::UniqueFd fd, std::string name,
                   std::string unlink_path)
    : socket_(executor, fd.release()),
      name_(std::move(name)),
      unlink_path_(std::move(unlink_path)) {}

Listener::~Listener() {
  close();
}

Result<std::unique_ptr<Listener>> Listener::unix_socket(const asio::any_io_executor& executor,
                                                        const std::string& path) {
  auto addr = unix_address(path);
  if (!addr) return tl::unexpected(addr.error());
  if (auto removed = remove_stale_socket(path, *addr); !removed) {
    return tl::unexpected(removed.error());
  }
  sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return tl::unexpected(errno_error("socket " + path, errno));
  // The umask makes the socket 0600 from the moment it exists; chmod after
  // bind would leave a window in which others could connect.
  const mode_t old_mask = ::umask(0177);
  const int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr));
  const int bind_errno = errno;
  ::umask(old_mask);
  if (rc != 0) return tl::unexpected(errno_error("bind " + path, bind_errno));
  if (::chmod(path.c_str(), 0600) != 0) return tl::unexpected(errno_error("chmod " + path, errno));
  if (::listen(fd.get(), SOMAXCONN) != 0) {
    return tl::unexpected(errno_error("listen " + path, errno));
  }
  return std::unique_ptr<Listener>(new Listener(executor, std::move(fd), "unix:" + path, path));
}

Result<std::unique_ptr<Listener>> Listener::vsock(const asio::any_io_executor& executor,
                                                  std::uint32_t port) {
  const std::string name = fmt::format("vsock:{}", port);
  sys::UniqueFd fd(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return tl::unexpected(errno_error("socket " + name, errno));
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = VMADDR_CID_ANY;
  addr.svm_port = port;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return tl::unexpected(errno_error("bind " + name, errno));
  }
  if (::listen(fd.get(), SOMAXCONN) != 0)
    return tl::unexpected(errno_error("listen " + name, errno));
  return std::unique_ptr<Listener>(new Listener(executor, std::move(fd), name, ""));
}

void Listener::start(AcceptFn on_accept) {
  asio::co_spawn(socket_.get_executor(), accept_loop(std::move(on_accept)),
                 [](const std::exception_ptr&) {});
}

asio::awaitable<void> Listener::accept_loop(AcceptFn on_accept) {
  asio::steady_timer backoff(socket_.get_executor());
  while (socket_.is_open()) {
    auto [ec] = co_await socket_.async_wait(asio::posix::descriptor_base::wait_read,
                                            as_tuple(use_awaitable));
    if (ec) break;
    for (;;) {
      int fd = ::accept4(socket_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) {
        // A streamed command's output is escaped to up to six times its size:
        // a larger send buffer means fewer, larger writes and wake-ups. Capped
        // by net.core.wmem_max; best effort.
        constexpr int kSendBufferBytes = 1 << 20;
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSendBufferBytes, sizeof kSendBufferBytes);
        on_accept(sys::UniqueFd(fd), fmt::format("{}#{}", name_, ++accepted_));
        continue;
      }
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        // Out of descriptors or memory: pause instead of spinning on a ready socket.
        spdlog::warn("{}: accept: {}", name_, std::strerror(errno));
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(as_tuple(use_awaitable));
      }
      break;
    }
  }
}

void Listener::close() {
  std::error_code ignored;
  if (socket_.is_open()) socket_.close(ignored);
  if (!unlink_path_.empty()) {
    ::unlink(unlink_path_.c_str());
    unlink_path_.clear();
  }
}

Result<sys::UniqueFd> open_serial(const std::string& path) {
  sys::UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return tl::unexpected(errno_error("open " + path, errno));
  termios tio;
  if (::tcgetattr(fd.get(), &tio) == 0) {
    // A terminal's line discipline would rewrite bytes (CR/LF, echo) and corrupt frames.
    ::cfmakeraw(&tio);
    if (::tcsetattr(fd.get(), TCSANOW, &tio) != 0) {
      return tl::unexpected(errno_error("tcsetattr " + path, errno));
    }
  }
  return fd;
}

}  // namespace oxydra::shell_daemon
