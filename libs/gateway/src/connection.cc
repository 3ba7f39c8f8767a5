#include "connection.h"

#include <array>

#include <spdlog/spdlog.h>

#include "no_throw.h"

namespace oxydra::gateway {

namespace {

constexpr std::size_t kReadChunk = 64u << 10;

std::string error_frame(ErrorCode code, std::string_view message) {
  return encode_message("error", error_payload(std::nullopt, code, message));
}

}  // namespace

Connection::Connection(Socket socket, Hub& hub, std::function<void(Connection*)> on_closed)
    : socket_(std::move(socket)),
      wake_(socket_.get_executor()),
      hub_(hub),
      on_closed_(std::move(on_closed)) {}

void Connection::start() {
  wake_.expires_at(asio::steady_timer::time_point::max());
  asio::co_spawn(socket_.get_executor(), reader(), asio::detached);
  asio::co_spawn(socket_.get_executor(), writer(), asio::detached);
}

void Connection::send(std::string frame) {
  if (closing_ || closed_) return;
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  if (queued_bytes_ > kMaxQueuedBytes) {
    // A client that stops reading must not grow the agent without bound: it
    // is disconnected, like one that left (its turn is cancelled).
    // Closed from the executor: the hub may be in the middle of a call here.
    spdlog::warn("gateway client not reading ({} bytes waiting for it): disconnected",
                 queued_bytes_);
    closing_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->close(); });
    return;
  }
  wake_.cancel_one();
}

void Connection::close_after_flush() {
  closing_ = true;
  wake_.cancel_one();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  wake_.cancel();
  hub_.peer_closed(this);
  if (on_closed_) on_closed_(this);
}

asio::awaitable<void> Connection::reader() {
  auto self = shared_from_this();
  std::string buffer(kReadChunk, '\0');
  while (!closing_ && !closed_) {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer), kNoThrow);
    if (ec) break;
    decoder_.feed(std::string_view(buffer.data(), n));
    while (auto event = decoder_.next()) {
      on_frame(*event);
      if (closing_) break;
    }
  }
  // The client is gone (or broke the framing): nobody is left to read replies.
  hub_.peer_closed(this);
  close_after_flush();
}

void Connection::on_frame(const FrameEvent& event) {
  switch (event.kind) {
    case FrameEvent::Kind::frame: {
      auto message = parse_message(event.payload);
      if (!message) {
        send(error_frame(ErrorCode::invalid_frame, message.error().message));
        return;
      }
      hub_.handle(shared_from_this(), *message);
      return;
    }
    case FrameEvent::Kind::zero_length:
      send(error_frame(ErrorCode::invalid_frame, "zero-length frame"));
      return;
    case FrameEvent::Kind::too_large:
      send(error_frame(ErrorCode::frame_too_large, "frame of " + std::to_string(event.announced) +
                                                       " bytes exceeds the limit of " +
                                                       std::to_string(kGatewayMaxFrame)));
      spdlog::warn("gateway: closing a connection that sent an oversized frame ({} bytes)",
                   event.announced);
      close_after_flush();
      return;
  }
}

asio::awaitable<void> Connection::writer() {
  auto self = shared_from_this();
  while (!closed_) {
    if (queue_.empty()) {
      if (closing_) break;
      co_await wake_.async_wait(kNoThrow);
      continue;
    }
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(queue_.front()), kNoThrow);
    if (ec) break;
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
  }
  close();
}

}  // namespace oxydra::gateway
