#include "rpc_link.h"

#include <spdlog/spdlog.h>

#include "json_fields.h"

namespace oxydra::sandbox {

namespace {

thread_local bool t_rpc_reader = false;

}  // namespace

bool on_rpc_reader_thread() {
  return t_rpc_reader;
}

PendingCall::PendingCall(std::string op, std::string id, EventHandler on_event)
    : op_(std::move(op)), id_(std::move(id)), on_event_(std::move(on_event)) {}

void PendingCall::event(const Message& message) {
  std::lock_guard lock(mu_);
  if (closed_ || outcome_ || !on_event_) return;
  try {
    on_event_(message);
  } catch (const std::exception& e) {
    // The reader thread must survive a caller's callback.
    spdlog::error("{} {}: event handler threw: {}", op_, id_, e.what());
  }
}

void PendingCall::complete(Result<Message> outcome) {
  {
    std::lock_guard lock(mu_);
    if (closed_ || outcome_) return;
    outcome_ = std::move(outcome);
  }
  cv_.notify_all();
}

std::optional<Result<Message>> PendingCall::wait(Clock::time_point deadline,
                                                 const std::stop_token& stop,
                                                 Clock::duration grace) {
  std::unique_lock lock(mu_);
  auto done = [&] { return outcome_.has_value(); };
  const bool forever = deadline == Clock::time_point::max();
  const bool answered =
      forever ? cv_.wait(lock, stop, done) : cv_.wait_until(lock, stop, deadline, done);
  if (!answered && stop.stop_requested()) {
    cv_.wait_until(lock, std::min(deadline, Clock::now() + grace), done);
  }
  closed_ = true;
  return std::move(outcome_);
}

RpcLink::RpcLink(sys::UniqueFd fd, std::string peer, std::size_t max_frame_bytes)
    : conn_(std::move(fd), std::move(peer), max_frame_bytes) {}

RpcLink::~RpcLink() {
  kill("client closed the connection");
  if (!reader_.joinable()) return;
  // A handler that drops the last owner of the client ends up here on the
  // reader thread itself; it is about to return, so let it go.
  if (reader_.get_id() == std::this_thread::get_id()) {
    reader_.detach();
  } else {
    reader_.join();
  }
}

void RpcLink::start() {
  reader_ = std::thread([this] { run(); });
}

bool RpcLink::add(const std::shared_ptr<PendingCall>& call) {
  return pending_.add(call->id(), call);
}

void RpcLink::remove(const std::string& id) {
  pending_.remove(id);
}

Result<void> RpcLink::write(std::string_view frame, Clock::time_point deadline,
                            std::size_t& written) {
  auto result = conn_.write(frame, deadline, written);
  if (!result) kill(result.error().message);
  return result;
}

void RpcLink::kill(const std::string& reason) {
  {
    std::lock_guard lock(mu_);
    if (!kill_reason_ && !pending_.closed()) kill_reason_ = reason;
  }
  conn_.shutdown();
}

bool RpcLink::alive() const {
  std::lock_guard lock(mu_);
  return !pending_.closed() && !kill_reason_;
}

void RpcLink::run() {
  t_rpc_reader = true;
  for (;;) {
    auto message = conn_.read();
    if (!message) {
      fail_all(message.error().message);
      return;
    }
    route(std::move(*message));
  }
}

void RpcLink::route(Message message) {
  const auto id = request_id_of(message.payload);
  if (!id) {
    if (message.op == "error") {
      spdlog::warn("{}: error without a request id: {}: {}", peer(),
                   string_field(message.payload, "code", "?"),
                   string_field(message.payload, "message"));
    }
    return;
  }
  auto found = pending_.find(*id);
  if (!found) {
    // Its caller gave up (timeout) or it never was ours: never deliver it elsewhere.
    spdlog::debug("{}: dropping {} for request {} nobody waits for", peer(), message.op, *id);
    return;
  }
  std::shared_ptr<PendingCall> call = std::move(*found);
  // Anything but the request's own op or an error is an event (e.g. output).
  if (message.op == call->op() || message.op == "error") pending_.remove(*id);
  if (message.op == "error") {
    call->complete(fail(error_code_from_string(string_field(message.payload, "code", "internal")),
                        call->op() + " " + *id + ": " + string_field(message.payload, "message")));
  } else if (message.op == call->op()) {
    call->complete(std::move(message));
  } else {
    call->event(message);
  }
}

void RpcLink::fail_all(const std::string& read_error) {
  std::string reason;
  {
    std::lock_guard lock(mu_);
    reason = kill_reason_.value_or(read_error);
  }
  for (auto& [id, call] : pending_.close()) {
    call->complete(fail(ErrorCode::connection_lost, call->op() + " " + id + ": connection to " +
                                                        peer() + " lost (" + reason +
                                                        "); the request may or may not have run"));
  }
}

}  // namespace oxydra::sandbox
