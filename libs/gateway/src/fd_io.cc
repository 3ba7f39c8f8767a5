#include "fd_io.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "oxydra/types/frame.h"
#include "oxydra/types/workspace_layout.h"

namespace oxydra::gateway {

namespace {

// Reads exactly `size` bytes into `out`; `got` tells how far it came.
Result<void> read_exact(int fd, char* out, std::size_t size, Clock::time_point deadline,
                        std::string_view what, std::size_t& got) {
  got = 0;
  while (got < size) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return fail("timeout", std::string(what) + ": timed out");
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return tl::unexpected(errno_error(std::string(what) + ": poll", errno));
    if (ready == 0) continue;
    const ssize_t n = ::read(fd, out + got, size - got);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return tl::unexpected(errno_error(std::string(what) + ": read", errno));
    if (n == 0) return fail("truncated", "");
    got += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

Result<sandbox::UniqueFd> connect_unix(const std::string& path, std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  if (path.empty() || path.size() > kMaxUnixSocketPath) {
    return fail("invalid_argument", "connect " + path + ": not a usable Unix socket path");
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  const auto deadline = Clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(10);
  for (;;) {
    sandbox::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return tl::unexpected(errno_error("socket", errno));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
      return fd;
    }
    const int err = errno;
    const bool not_yet = err == ENOENT || err == ECONNREFUSED || err == EAGAIN;
    if (!not_yet || Clock::now() + backoff > deadline) {
      return tl::unexpected(
          Error{"connection_failed", errno_error("connect " + path, err).message});
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(200));
  }
}

Result<std::string> read_one_frame(int fd, std::size_t max_frame_bytes, Clock::time_point deadline,
                                   std::string_view what) {
  unsigned char prefix[kFramePrefixBytes];
  std::size_t got = 0;
  auto read = read_exact(fd, reinterpret_cast<char*>(prefix), sizeof(prefix), deadline, what, got);
  if (!read && read.error().code == "truncated") {
    return fail("truncated", std::string(what) + ": stream ended after " + std::to_string(got) +
                                 " of 4 length-prefix bytes");
  }
  if (!read) return tl::unexpected(read.error());
  const std::uint32_t length = (std::uint32_t{prefix[0]} << 24) | (std::uint32_t{prefix[1]} << 16) |
                               (std::uint32_t{prefix[2]} << 8) | std::uint32_t{prefix[3]};
  if (length == 0) return fail("invalid_frame", std::string(what) + " is empty (zero length)");
  if (length > max_frame_bytes) {
    return fail("frame_too_large", std::string(what) + " of " + std::to_string(length) +
                                       " bytes exceeds the limit of " +
                                       std::to_string(max_frame_bytes));
  }
  std::string payload(length, '\0');
  read = read_exact(fd, payload.data(), length, deadline, what, got);
  if (!read && read.error().code == "truncated") {
    return fail("truncated", std::string(what) + ": stream ended after " + std::to_string(got) +
                                 " of " + std::to_string(length) + " bytes");
  }
  if (!read) return tl::unexpected(read.error());
  return payload;
}

Result<void> write_all(int fd, std::string_view bytes, std::string_view what) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(errno_error(std::string(what) + ": write", errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace oxydra::gateway
