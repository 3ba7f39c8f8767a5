#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "oxydra/sys/unique_fd.h"
#include "oxydra/vmlink/frame.h"

namespace oxydra::vmlink {

// What an `open` from the peer may reach: a Unix socket on this side.
struct Service {
  std::string name;
  std::string socket_path;
};

// A listening Unix socket on this side: each connection it accepts becomes a
// channel to `service` on the peer.
struct Forward {
  std::string service;
  sys::UniqueFd listener;
};

struct LinkOptions {
  bool odd_channels = true;  // the host opens odd channels, the guest even ones
  std::string hello;         // what this side says about itself
  std::vector<Service> services;
  std::vector<Forward> forwards;
  // Decides on each accepted connection before it is forwarded: "" admits it,
  // anything else is why not (logged, the connection closed).
  std::function<std::string(int fd, const std::string& service)> admit;
  std::function<void(const std::string& peer_hello)> on_hello;
  std::function<void()> on_shutdown;
  std::function<void(const std::string& line)> log;
  std::size_t max_channels = 256;
};

// One end of the VM link (docs/protocol.md): runs the channels of one
// stream with a poll loop on the calling thread. Each channel is flow
// controlled (kWindow bytes in flight), so a reader that stops only stalls its
// own channel, and memory stays bounded. Forwards are served only after the
// peer's hello, so a connection made while the guest boots waits in the
// listener's backlog instead of failing.
class Link {
 public:
  Link(sys::UniqueFd stream, LinkOptions options);
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Serves until the stream ends, the peer breaks the protocol, or stop();
  // returns why it ended.
  std::string run();
  // Thread-safe.
  void stop();
  void request_shutdown();
  std::size_t open_channels() const { return channel_count_.load(); }

 private:
  struct Channel;
  void wake();
  bool handle_frame(const Frame& frame);
  void open_channel_for(const Frame& frame);
  void accept_on(Forward& forward);
  void read_local(std::uint32_t id, Channel& channel);
  void write_local(std::uint32_t id, Channel& channel);
  void reset(std::uint32_t id, const std::string& why, bool tell_peer);
  void close_if_done(std::uint32_t id);
  void say(const std::string& line) const;

  sys::UniqueFd stream_;
  bool stream_is_socket_ = false;  // a virtio port is a character device: no send()
  LinkOptions options_;
  sys::UniqueFd wake_read_, wake_write_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> shutdown_requested_{false};
  std::atomic<std::size_t> channel_count_{0};
  std::map<std::uint32_t, std::unique_ptr<Channel>> channels_;
  std::uint32_t next_id_;
  bool peer_ready_ = false;
  std::string out_;  // encoded frames not yet written to the stream
  std::size_t out_offset_ = 0;
  std::string failure_;
  FrameDecoder decoder_;
};

}  // namespace oxydra::vmlink
