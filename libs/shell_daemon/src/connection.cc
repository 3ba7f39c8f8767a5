#include "connection.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "handlers.h"
#include "output_event.h"
#include "oxydra/types/message.h"
#include "oxydra/types/shell_messages.h"

namespace oxydra::shell_daemon {

namespace {

using asio::use_awaitable;
using asio::experimental::as_tuple;

// Bounds on what one connection may hold: queued outgoing bytes (replies are
// small; streamed output waits while the buffer being filled holds this much,
// so the queue holds at most about twice as much) and requests awaiting an
// answer.
constexpr std::size_t kMaxQueuedBytes = 1u << 20;
constexpr std::size_t kMaxOpenRequests = 1024;
constexpr std::size_t kReadBufferBytes = 64u << 10;

}  // namespace

Connection::Connection(asio::posix::stream_descriptor stream, ServerContext& context,
                       std::string peer, bool half_close)
    : stream_(std::move(stream)),
      context_(context),
      peer_(std::move(peer)),
      half_close_(half_close),
      decoder_(context.config.max_frame_bytes),
      writer_wake_(context.executor),
      space_(context.executor),
      closed_event_(context.executor) {}

Connection::~Connection() {
  spdlog::debug("{}: connection released", peer_);
}

void Connection::start() {
  auto self = shared_from_this();
  auto log_failure = [peer = peer_](const std::exception_ptr& error) {
    if (error) spdlog::error("{}: connection task failed", peer);
  };
  asio::co_spawn(context_.executor, read_loop(self), log_failure);
  asio::co_spawn(context_.executor, write_loop(self), log_failure);
}

asio::awaitable<void> Connection::read_loop(std::shared_ptr<Connection> self) {
  std::vector<char> buffer(kReadBufferBytes);
  while (!closed()) {
    while (!closed() &&
           (queued_bytes() > 2 * kMaxQueuedBytes || open_requests_ >= kMaxOpenRequests)) {
      co_await space_.wait();
    }
    if (closed()) break;
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer), as_tuple(use_awaitable));
    if (ec || n == 0) {
      if (ec && ec != asio::error::eof && ec != asio::error::operation_aborted) {
        spdlog::debug("{}: read: {}", peer_, ec.message());
      }
      break;
    }
    decoder_.feed(std::string_view(buffer.data(), n));
    while (auto event = decoder_.next()) {
      if (event->kind == FrameEvent::Kind::zero_length) {
        send_error(std::nullopt, ErrorCode::invalid_frame, "zero-length frame");
      } else if (event->kind == FrameEvent::Kind::too_large) {
        send_error(std::nullopt, ErrorCode::frame_too_large,
                   fmt::format("frame of {} bytes exceeds the limit of {} bytes", event->announced,
                               context_.config.max_frame_bytes));
        spdlog::warn("{}: frame of {} bytes announced; closing", peer_, event->announced);
        close_after_flush();
        co_return;
      } else if (auto message = parse_message(event->payload)) {
        dispatch(self, *message);
      } else {
        send_error(std::nullopt, ErrorCode::invalid_frame, message.error().message);
      }
      if (closed()) co_return;
    }
  }
  on_read_end();
}

void Connection::on_read_end() {
  read_ended_ = true;
  if (!half_close_) {
    close();
  } else if (open_requests_ == 0) {
    close_after_flush();
  }
}

asio::awaitable<void> Connection::write_loop(std::shared_ptr<Connection> /*alive*/) {
  while (!closed_) {
    if (pending_.empty()) {
      if (closing_) break;
      co_await writer_wake_.wait();
      continue;
    }
    writing_.swap(pending_);
    space_.notify_all();
    auto [ec, n] = co_await asio::async_write(
        stream_, asio::buffer(writing_.data(), writing_.size()), as_tuple(use_awaitable));
    if (closed_) break;
    if (ec) {
      spdlog::debug("{}: write: {}", peer_, ec.message());
      close();
      break;
    }
    writing_.clear();
    space_.notify_all();
  }
  close();
}

void Connection::close_after_flush() {
  if (closing_ || closed_) return;
  closing_ = true;
  writer_wake_.notify_all();
  space_.notify_all();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  std::error_code ignored;
  stream_.close(ignored);
  // The buffer being written stays: the cancelled write may still refer to it.
  pending_ = ByteBuffer();
  writer_wake_.notify_all();
  space_.notify_all();
  closed_event_.notify_all();
  spdlog::debug("{}: connection closed", peer_);
}

asio::awaitable<void> Connection::wait_closed() {
  while (!closed_)
    co_await closed_event_.wait();
}

void Connection::enqueue(std::string_view frame) {
  if (closed()) return;
  pending_.append(frame);
  writer_wake_.notify_all();
}

void Connection::send(std::string_view op, const nlohmann::json& payload) {
  enqueue(encode_message(op, payload));
}

void Connection::send_error(const std::optional<std::string>& request_id, ErrorCode code,
                            std::string_view message) {
  spdlog::debug("{}: error {} ({}): {}", peer_, to_string(code), request_id.value_or("-"), message);
  send(shell_rpc::kOpError, error_payload(request_id, code, message));
}

asio::awaitable<bool> Connection::send_output(std::string_view request_id_json, StreamKind stream,
                                              std::string_view data, std::uint64_t offset,
                                              const bool& abandoned, bool base64) {
  while (!closed() && !abandoned && pending_.size() >= kMaxQueuedBytes)
    co_await space_.wait();
  if (closed() || abandoned) co_return false;
  append_output_event(pending_, request_id_json, stream, data, offset, base64);
  writer_wake_.notify_all();
  co_return true;
}

void Connection::begin_request() {
  ++open_requests_;
}

void Connection::end_request() {
  --open_requests_;
  space_.notify_all();
  if (read_ended_ && open_requests_ == 0) close_after_flush();
}

bool Connection::track(const std::string& request_id, const std::shared_ptr<Command>& command) {
  auto [it, inserted] = inflight_.emplace(request_id, command);
  if (!inserted && it->second.expired()) {
    it->second = command;
    inserted = true;
  }
  return inserted;
}

void Connection::untrack(const std::string& request_id) {
  inflight_.erase(request_id);
}

std::shared_ptr<Command> Connection::tracked(const std::string& request_id) const {
  auto it = inflight_.find(request_id);
  return it == inflight_.end() ? nullptr : it->second.lock();
}

}  // namespace oxydra::shell_daemon
