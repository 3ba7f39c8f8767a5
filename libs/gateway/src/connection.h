#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <asio.hpp>

#include "hub.h"
#include "oxydra/types/frame.h"

namespace oxydra::gateway {

// One client connection: a reader coroutine that decodes frames and hands
// messages to the hub, and a writer coroutine that drains the send queue in
// order. Runs on the server thread only.
class Connection final : public Peer, public std::enable_shared_from_this<Connection> {
 public:
  using Socket = asio::local::stream_protocol::socket;
  // Replies and events waiting for a client beyond this close its connection.
  static constexpr std::size_t kMaxQueuedBytes = 16u << 20;

  Connection(Socket socket, Hub& hub, std::function<void(Connection*)> on_closed);

  void start();
  void send(std::string frame) override;
  // Sends what is queued, then closes.
  void close_after_flush();

 private:
  asio::awaitable<void> reader();
  asio::awaitable<void> writer();
  void on_frame(const FrameEvent& event);
  void close();

  Socket socket_;
  asio::steady_timer wake_;  // the writer sleeps on it while the queue is empty
  Hub& hub_;
  std::function<void(Connection*)> on_closed_;
  FrameDecoder decoder_{kGatewayMaxFrame};
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace oxydra::gateway
