#include "oxydra/sys/io.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace oxydra::sys {

int write_all(int fd, std::string_view bytes) noexcept {
  bool socket = true;
  while (!bytes.empty()) {
    ssize_t n = -1;
    if (socket) {
      n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == ENOTSOCK) socket = false;
    }
    if (!socket) n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{fd, POLLOUT, 0};
      if (::poll(&pfd, 1, -1) < 0 && errno != EINTR) return errno;
      continue;
    }
    if (n < 0) return errno;
    if (n == 0) return EIO;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

int poll_timeout_ms(Clock::time_point deadline) {
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

std::error_code wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd pfd{fd, events, 0};
  int ready = 0;
  do {
    ready = ::poll(&pfd, 1, poll_timeout_ms(deadline));
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return {errno, std::system_category()};
  if (ready == 0) return std::make_error_code(std::errc::timed_out);
  return {};
}

std::error_code write_all(int fd, std::string_view bytes, Clock::time_point deadline,
                          std::size_t& written) {
  written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + written, bytes.size() - written, MSG_NOSIGNAL);
    if (n >= 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return {errno, std::system_category()};
    if (auto waited = wait_for(fd, POLLOUT, deadline)) return waited;
  }
  return {};
}

std::error_code read_exact(int fd, char* out, std::size_t size, Clock::time_point deadline,
                           std::size_t& got) {
  got = 0;
  while (got < size) {
    if (auto waited = wait_for(fd, POLLIN, deadline)) return waited;
    const ssize_t n = ::read(fd, out + got, size - got);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0) return {errno, std::system_category()};
    if (n == 0) return std::make_error_code(std::errc::no_message_available);
    got += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace oxydra::sys
