#include "oxydra/testlib/frame_client.h"
#include "oxydra/sys/io.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace oxydra::testlib {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

Result<FrameClient> FrameClient::connect_unix(const std::string& path,
                                              std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path))
    return fail(ErrorCode::io, "socket path too long: " + path);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return tl::unexpected(errno_error("socket", errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      return FrameClient(fd);
    }
    const int err = errno;
    ::close(fd);
    if (Clock::now() >= deadline) return tl::unexpected(errno_error("connect " + path, err));
    std::this_thread::sleep_for(20ms);
  }
}

FrameClient::FrameClient(int fd, std::size_t max_frame_bytes)
    : fd_(fd), decoder_(max_frame_bytes) {}

FrameClient::FrameClient(FrameClient&& other) noexcept
    : fd_(other.fd_),
      decoder_(std::move(other.decoder_)),
      stash_(std::move(other.stash_)),
      eof_(other.eof_) {
  other.fd_ = -1;
}

FrameClient& FrameClient::operator=(FrameClient&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    decoder_ = std::move(other.decoder_);
    stash_ = std::move(other.stash_);
    eof_ = other.eof_;
    other.fd_ = -1;
  }
  return *this;
}

FrameClient::~FrameClient() {
  close();
}

void FrameClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FrameClient::send_raw(std::string_view bytes, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, sys::poll_timeout_ms(deadline)) <= 0) return false;
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd_, bytes.data(), bytes.size());  // a tty or pipe
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool FrameClient::send_payload(std::string_view json_text) {
  return send_raw(encode_frame(json_text));
}

bool FrameClient::send(std::string_view op, const nlohmann::json& payload) {
  return send_raw(encode_message(op, payload));
}

std::optional<Message> FrameClient::read_frame(Clock::time_point deadline) {
  char buf[64 * 1024];
  for (;;) {
    if (auto event = decoder_.next()) {
      if (event->kind != FrameEvent::Kind::frame) return Message{"<invalid>", {}};
      auto message = parse_message(event->payload);
      if (!message) return Message{"<invalid>", {}};
      return std::move(*message);
    }
    if (eof_) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, sys::poll_timeout_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && errno == ENOTSOCK) n = ::read(fd_, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      eof_ = true;
      continue;
    }
    decoder_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

std::optional<Message> FrameClient::recv(std::chrono::milliseconds timeout) {
  if (!stash_.empty()) {
    Message m = std::move(stash_.front());
    stash_.pop_front();
    return m;
  }
  return read_frame(Clock::now() + timeout);
}

std::optional<Message> FrameClient::recv_reply(const std::string& request_id,
                                               std::chrono::milliseconds timeout) {
  for (auto it = stash_.begin(); it != stash_.end(); ++it) {
    if (it->op != "output" && request_id_of(it->payload) == request_id) {
      Message m = std::move(*it);
      stash_.erase(it);
      return m;
    }
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto m = read_frame(deadline);
    if (!m) return std::nullopt;
    if (m->op != "output" && request_id_of(m->payload) == request_id) return m;
    stash_.push_back(std::move(*m));
  }
}

std::optional<Message> FrameClient::request(std::string_view op, const nlohmann::json& payload,
                                            std::chrono::milliseconds timeout) {
  auto id = request_id_of(payload);
  if (!id || !send(op, payload)) return std::nullopt;
  return recv_reply(*id, timeout);
}

bool FrameClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!eof_) {
    auto m = read_frame(deadline);
    if (!m) return eof_;
    stash_.push_back(std::move(*m));
  }
  return true;
}

}  // namespace oxydra::testlib
