#include "oxydra/vmlink/link.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace oxydra::vmlink {

namespace {

// Channels stop reading their sockets while this much is queued for the stream.
constexpr std::size_t kOutHighWater = 1 << 20;

std::string errno_text(const std::string& what, int error) {
  return what + ": " + std::strerror(error);
}

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

bool would_block(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

}  // namespace

struct Link::Channel {
  sys::UniqueFd fd;
  std::string to_local;  // the peer's bytes not yet written to fd
  std::uint32_t send_window = kWindow;
  std::uint32_t consumed = 0;  // written to fd, not yet credited to the peer
  bool local_eof = false;      // fd reached end of file; eof sent
  bool peer_eof = false;       // the peer sent eof
  bool local_shut = false;     // shutdown(SHUT_WR) done after the peer's eof
};

Link::Link(sys::UniqueFd stream, LinkOptions options)
    : stream_(std::move(stream)), options_(std::move(options)) {
  next_id_ = options_.odd_channels ? 1 : 2;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) == 0) {
    wake_read_.reset(pipe_fds[0]);
    wake_write_.reset(pipe_fds[1]);
  }
  set_nonblocking(stream_.get());
  struct stat st {};
  stream_is_socket_ = ::fstat(stream_.get(), &st) == 0 && S_ISSOCK(st.st_mode);
  for (auto& forward : options_.forwards)
    set_nonblocking(forward.listener.get());
}

Link::~Link() = default;

void Link::say(const std::string& line) const {
  if (options_.log) options_.log(line);
}

void Link::wake() {
  const char byte = 1;
  if (wake_write_) (void)!::write(wake_write_.get(), &byte, 1);
}

void Link::stop() {
  stop_ = true;
  wake();
}

void Link::request_shutdown() {
  shutdown_requested_ = true;
  wake();
}

void Link::reset(std::uint32_t id, const std::string& why, bool tell_peer) {
  if (tell_peer) append_frame(out_, id, FrameKind::reset, why);
  if (channels_.erase(id) > 0) channel_count_ = channels_.size();
}

void Link::close_if_done(std::uint32_t id) {
  auto found = channels_.find(id);
  if (found == channels_.end()) return;
  Channel& channel = *found->second;
  if (channel.peer_eof && channel.to_local.empty() && !channel.local_shut) {
    ::shutdown(channel.fd.get(), SHUT_WR);
    channel.local_shut = true;
  }
  if (channel.local_eof && channel.local_shut) {
    channels_.erase(found);
    channel_count_ = channels_.size();
  }
}

void Link::open_channel_for(const Frame& frame) {
  const bool peer_parity = (frame.channel % 2 == 1) != options_.odd_channels;
  if (frame.channel == 0 || !peer_parity || channels_.count(frame.channel) > 0) {
    failure_ = "protocol: open of channel " + std::to_string(frame.channel) + " is not the peer's";
    return;
  }
  const Service* service = nullptr;
  for (const auto& s : options_.services) {
    if (s.name == frame.payload) service = &s;
  }
  if (service == nullptr) {
    reset(frame.channel, "no service \"" + frame.payload.substr(0, kMaxServiceName) + "\"", true);
    return;
  }
  if (channels_.size() >= options_.max_channels) {
    reset(frame.channel, "too many channels", true);
    return;
  }
  sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (!fd || service->socket_path.size() >= sizeof address.sun_path) {
    reset(frame.channel, "socket for " + service->name + " failed", true);
    return;
  }
  std::memcpy(address.sun_path, service->socket_path.c_str(), service->socket_path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    reset(frame.channel, errno_text("connect " + service->socket_path, errno), true);
    return;
  }
  auto channel = std::make_unique<Channel>();
  channel->fd = std::move(fd);
  channels_[frame.channel] = std::move(channel);
  channel_count_ = channels_.size();
}

bool Link::handle_frame(const Frame& frame) {
  if (frame.channel == 0) {
    if (frame.kind == FrameKind::hello) {
      peer_ready_ = true;
      if (options_.on_hello) options_.on_hello(frame.payload);
    } else if (frame.kind == FrameKind::shutdown) {
      if (options_.on_shutdown) options_.on_shutdown();
    } else {
      failure_ =
          "protocol: frame kind " + std::to_string(static_cast<int>(frame.kind)) + " on channel 0";
    }
    return failure_.empty();
  }
  if (frame.kind == FrameKind::open) {
    open_channel_for(frame);
    return failure_.empty();
  }
  auto found = channels_.find(frame.channel);
  // Frames for a channel this side already reset may still be in flight.
  if (found == channels_.end()) return true;
  Channel& channel = *found->second;
  switch (frame.kind) {
    case FrameKind::data:
      if (channel.peer_eof || channel.to_local.size() + frame.payload.size() > kWindow) {
        failure_ = "protocol: channel " + std::to_string(frame.channel) +
                   " sent past its window or its end";
        return false;
      }
      channel.to_local += frame.payload;
      break;
    case FrameKind::eof:
      channel.peer_eof = true;
      close_if_done(frame.channel);
      break;
    case FrameKind::reset:
      reset(frame.channel, {}, false);
      break;
    case FrameKind::credit: {
      auto bytes = parse_credit(frame.payload);
      if (!bytes || *bytes > kWindow - channel.send_window) {
        failure_ = "protocol: bad credit on channel " + std::to_string(frame.channel);
        return false;
      }
      channel.send_window += *bytes;
      break;
    }
    default:
      failure_ = "protocol: frame kind " + std::to_string(static_cast<int>(frame.kind)) +
                 " on channel " + std::to_string(frame.channel);
      return false;
  }
  return true;
}

void Link::accept_on(Forward& forward) {
  sys::UniqueFd fd(
      ::accept4(forward.listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (!fd) {
    if (!would_block(errno) && errno != ECONNABORTED)
      say(errno_text("accept for " + forward.service, errno));
    return;
  }
  if (options_.admit) {
    const std::string refused = options_.admit(fd.get(), forward.service);
    if (!refused.empty()) {
      say("refused a connection to " + forward.service + ": " + refused);
      return;
    }
  }
  const std::uint32_t id = next_id_;
  next_id_ += 2;
  append_frame(out_, id, FrameKind::open, forward.service);
  auto channel = std::make_unique<Channel>();
  channel->fd = std::move(fd);
  channels_[id] = std::move(channel);
  channel_count_ = channels_.size();
}

void Link::read_local(std::uint32_t id, Channel& channel) {
  char buffer[kMaxPayload];
  const std::size_t want = std::min<std::size_t>(sizeof buffer, channel.send_window);
  const ssize_t n = ::read(channel.fd.get(), buffer, want);
  if (n > 0) {
    append_frame(out_, id, FrameKind::data, std::string_view(buffer, static_cast<std::size_t>(n)));
    channel.send_window -= static_cast<std::uint32_t>(n);
  } else if (n == 0) {
    channel.local_eof = true;
    append_frame(out_, id, FrameKind::eof);
    close_if_done(id);
  } else if (!would_block(errno)) {
    reset(id, errno_text("read", errno), true);
  }
}

void Link::write_local(std::uint32_t id, Channel& channel) {
  const ssize_t n = ::send(channel.fd.get(), channel.to_local.data(), channel.to_local.size(),
                           MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0) {
    if (!would_block(errno)) reset(id, errno_text("write", errno), true);
    return;
  }
  channel.to_local.erase(0, static_cast<std::size_t>(n));
  channel.consumed += static_cast<std::uint32_t>(n);
  if (channel.consumed >= kWindow / 4 || channel.to_local.empty()) {
    append_frame(out_, id, FrameKind::credit, credit_payload(channel.consumed));
    channel.consumed = 0;
  }
  close_if_done(id);
}

std::string Link::run() {
  append_frame(out_, 0, FrameKind::hello, options_.hello);
  std::vector<pollfd> fds;
  std::vector<std::uint32_t> ids;  // the channel of each channel entry in fds
  char buffer[kMaxPayload];
  while (!stop_) {
    if (shutdown_requested_.exchange(false)) append_frame(out_, 0, FrameKind::shutdown);
    fds.clear();
    ids.clear();
    const bool pending_out = out_offset_ < out_.size();
    fds.push_back({stream_.get(), static_cast<short>(POLLIN | (pending_out ? POLLOUT : 0)), 0});
    fds.push_back({wake_read_.get(), POLLIN, 0});
    const std::size_t first_forward = fds.size();
    const bool accepting = peer_ready_ && channels_.size() < options_.max_channels;
    for (auto& forward : options_.forwards)
      fds.push_back({accepting ? forward.listener.get() : -1, POLLIN, 0});
    const std::size_t first_channel = fds.size();
    const bool room = out_.size() - out_offset_ < kOutHighWater;
    for (auto& [id, channel] : channels_) {
      short events = 0;
      if (!channel->local_eof && channel->send_window > 0 && room) events |= POLLIN;
      if (!channel->to_local.empty()) events |= POLLOUT;
      // A socket with nothing wanted is left out: its hangup would wake poll forever.
      fds.push_back({events != 0 ? channel->fd.get() : -1, events, 0});
      ids.push_back(id);
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return errno_text("poll", errno);
    }
    if (fds[1].revents != 0) {
      while (::read(wake_read_.get(), buffer, sizeof buffer) > 0) {
      }
    }
    if (fds[0].revents & POLLOUT) {
      const char* pending = out_.data() + out_offset_;
      const std::size_t size = out_.size() - out_offset_;
      const ssize_t n = stream_is_socket_ ? ::send(stream_.get(), pending, size, MSG_NOSIGNAL)
                                          : ::write(stream_.get(), pending, size);
      if (n < 0 && !would_block(errno)) return errno_text("write to the link", errno);
      if (n > 0) out_offset_ += static_cast<std::size_t>(n);
      if (out_offset_ == out_.size()) {
        out_.clear();
        out_offset_ = 0;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::read(stream_.get(), buffer, sizeof buffer);
      if (n == 0) return "the peer closed the link";
      if (n < 0 && !would_block(errno)) return errno_text("read from the link", errno);
      if (n > 0) {
        decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        while (auto frame = decoder_.next()) {
          if (!handle_frame(*frame)) return failure_;
        }
        if (!decoder_.error().empty()) return "protocol: " + decoder_.error();
      }
    }
    for (std::size_t i = 0; i < options_.forwards.size(); ++i) {
      if (fds[first_forward + i].revents & POLLIN) accept_on(options_.forwards[i]);
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const short revents = fds[first_channel + i].revents;
      if (revents == 0) continue;
      auto found = channels_.find(ids[i]);
      if (found == channels_.end()) continue;
      if ((revents & (POLLOUT | POLLHUP | POLLERR)) && !found->second->to_local.empty())
        write_local(ids[i], *found->second);
      found = channels_.find(ids[i]);
      if (found == channels_.end()) continue;
      if (revents & (POLLIN | POLLHUP | POLLERR)) {
        if (!found->second->local_eof && found->second->send_window > 0)
          read_local(ids[i], *found->second);
      }
    }
  }
  return "stopped";
}

}  // namespace oxydra::vmlink
