#include "framed_connection.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "oxydra/types/startup_status.h"

namespace oxydra::sandbox {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// Waits for `events`; false on timeout (errno ETIMEDOUT) or poll failure.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd pfd{fd, events, 0};
  int ready = 0;
  do {
    ready = ::poll(&pfd, 1, poll_timeout_ms(deadline));
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) errno = ETIMEDOUT;
  return ready > 0;
}

}  // namespace

FramedConnection::FramedConnection(UniqueFd fd, std::string peer, std::size_t max_frame_bytes)
    : fd_(std::move(fd)), peer_(std::move(peer)), decoder_(max_frame_bytes), buffer_(kReadChunk) {}

Result<void> FramedConnection::write(std::string_view bytes, Clock::time_point deadline,
                                     std::size_t& written) {
  std::lock_guard lock(write_mu_);
  written = 0;
  while (written < bytes.size()) {
    const ssize_t n =
        ::send(fd_.get(), bytes.data() + written, bytes.size() - written, MSG_NOSIGNAL);
    if (n >= 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN && wait_for(fd_.get(), POLLOUT, deadline)) continue;
    return tl::unexpected(errno_error("write to " + peer_, errno));
  }
  return {};
}

Result<Message> FramedConnection::read() {
  for (;;) {
    while (auto event = decoder_.next()) {
      switch (event->kind) {
        case FrameEvent::Kind::too_large:
          return fail(std::string(degraded::kSidecarProtocolError),
                      peer_ + " sent a frame of " + std::to_string(event->announced) +
                          " bytes (max " + std::to_string(decoder_.max_frame_bytes()) + ")");
        case FrameEvent::Kind::zero_length:
          spdlog::warn("{} sent a zero-length frame; skipped", peer_);
          continue;
        case FrameEvent::Kind::frame:
          break;
      }
      auto message = parse_message(event->payload);
      if (message) return message;
      spdlog::warn("{} sent an invalid frame ({}); skipped", peer_, message.error().message);
    }
    const ssize_t n = ::recv(fd_.get(), buffer_.data(), buffer_.size(), 0);
    if (n > 0) {
      decoder_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
      continue;
    }
    if (n == 0) {
      const std::string where = decoder_.pending_bytes() > 0 ? " in the middle of a frame" : "";
      return fail("connection_closed", peer_ + " closed the connection" + where);
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN && wait_for(fd_.get(), POLLIN, Clock::time_point::max())) continue;
    return tl::unexpected(errno_error("read from " + peer_, errno));
  }
}

void FramedConnection::shutdown() {
  ::shutdown(fd_.get(), SHUT_RDWR);
}

}  // namespace oxydra::sandbox
