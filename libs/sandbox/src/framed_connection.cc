#include "framed_connection.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "oxydra/sys/io.h"
#include "oxydra/types/startup_status.h"

namespace oxydra::sandbox {

namespace {

constexpr std::size_t kReadChunk = std::size_t{64} << 10;

}  // namespace

FramedConnection::FramedConnection(sys::UniqueFd fd, std::string peer, std::size_t max_frame_bytes)
    : fd_(std::move(fd)), peer_(std::move(peer)), decoder_(max_frame_bytes), buffer_(kReadChunk) {}

Result<void> FramedConnection::write(std::string_view bytes, Clock::time_point deadline,
                                     std::size_t& written) {
  std::lock_guard lock(write_mu_);
  if (auto error = sys::write_all(fd_.get(), bytes, deadline, written)) {
    return tl::unexpected(errno_error("write to " + peer_, error.value()));
  }
  return {};
}

Result<Message> FramedConnection::read() {
  for (;;) {
    while (auto event = decoder_.next()) {
      switch (event->kind) {
        case FrameEvent::Kind::too_large:
          return fail(ErrorCode::sidecar_protocol_error,
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
      return fail(ErrorCode::connection_lost, peer_ + " closed the connection" + where);
    }
    if (errno == EINTR) continue;
    int err = errno;
    if (err == EAGAIN) {
      const auto waited = sys::wait_for(fd_.get(), POLLIN, Clock::time_point::max());
      if (!waited) continue;
      err = waited.value();
    }
    return tl::unexpected(errno_error("read from " + peer_, err));
  }
}

void FramedConnection::shutdown() {
  ::shutdown(fd_.get(), SHUT_RDWR);
}

}  // namespace oxydra::sandbox
