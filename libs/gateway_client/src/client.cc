#include "oxydra/gateway_client/client.h"

#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "oxydra/sys/io.h"
#include "oxydra/sys/request_table.h"
#include "oxydra/sys/unix_connect.h"
#include "oxydra/types/frame.h"
#include "oxydra/types/message.h"

namespace oxydra::gateway {

namespace rpc = gateway_rpc;

namespace {

// The messages that answer one request, as the reader thread routes them;
// `lost` once the connection ended.
class Mailbox {
 public:
  void deliver(Message message) {
    std::lock_guard lock(mu_);
    messages_.push_back(std::move(message));
    changed_.notify_all();
  }
  void lose(std::string reason) {
    std::lock_guard lock(mu_);
    lost_ = std::move(reason);
    changed_.notify_all();
  }
  // The next message; an error once the connection is lost, or at the timeout.
  Result<Message> next(const std::string& request_id,
                       std::optional<std::chrono::milliseconds> timeout) {
    std::unique_lock lock(mu_);
    auto ready = [&] { return lost_ || !messages_.empty(); };
    if (timeout) {
      if (!changed_.wait_for(lock, *timeout, ready)) {
        return fail(ErrorCode::timeout,
                    "gateway did not answer request " + request_id + " in time");
      }
    } else {
      changed_.wait(lock, ready);
    }
    if (messages_.empty()) return fail(ErrorCode::connection_lost, *lost_);
    Message message = std::move(messages_.front());
    messages_.pop_front();
    return message;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Message> messages_;
  std::optional<std::string> lost_;
};

template <typename T>
Result<T> parse_reply(const Message& message, std::string_view op,
                      Result<T> (*parse)(const nlohmann::json&)) {
  if (message.op != op) {
    return fail(ErrorCode::invalid_response,
                "gateway answered " + message.op + " to a " + std::string(op));
  }
  auto parsed = parse(message.payload);
  if (!parsed)
    return fail(ErrorCode::invalid_response,
                "gateway " + std::string(op) + " reply: " + parsed.error().message);
  return parsed;
}

}  // namespace

class Client::Impl {
 public:
  Impl(sys::UniqueFd fd, ClientOptions options) : fd_(std::move(fd)), options_(options) {
    reader_ = std::thread([this] { read_loop(); });
  }

  ~Impl() {
    close();
    reader_.join();
  }

  // The reader sees the shutdown, closes the table and fails every waiter.
  void close() { ::shutdown(fd_.get(), SHUT_RDWR); }

  std::string next_id() { return "c-" + std::to_string(++next_id_); }

  // Sends a request whose replies go to its own mailbox, until forget().
  Result<void> send(std::string_view op, const std::string& request_id, nlohmann::json payload) {
    payload["request_id"] = request_id;
    if (!mailboxes_.add(request_id, std::make_shared<Mailbox>())) {
      return fail(ErrorCode::connection_lost, "gateway connection is closed");
    }
    std::lock_guard write_lock(write_mu_);
    if (const int err = sys::write_all(fd_.get(), encode_message(op, payload))) {
      forget(request_id);
      return fail(ErrorCode::connection_lost, errno_error("gateway: write", err).message);
    }
    return {};
  }

  // The next message for `request_id`.
  Result<Message> receive(const std::string& request_id,
                          std::optional<std::chrono::milliseconds> timeout) {
    auto box = mailboxes_.find(request_id);
    if (!box) return fail(ErrorCode::connection_lost, "gateway connection is closed");
    return (*box)->next(request_id, timeout);
  }

  void forget(const std::string& request_id) { mailboxes_.remove(request_id); }

  // One request, one reply; an `error` reply becomes an Error with its code.
  Result<Message> call(std::string_view op, nlohmann::json payload) {
    const std::string id = next_id();
    if (auto sent = send(op, id, std::move(payload)); !sent) return tl::unexpected(sent.error());
    auto reply = receive(id, options_.request_timeout);
    forget(id);
    if (!reply) return reply;
    if (reply->op == "error") return error_of(*reply);
    return reply;
  }

  static tl::unexpected<Error> error_of(const Message& reply) {
    return tl::unexpected(
        Error{error_code_from_string(reply.payload.value("code", std::string("internal"))),
              reply.payload.value("message", std::string())});
  }

  const ClientOptions& options() const { return options_; }

  std::mutex active_mu;
  std::optional<std::string> active_request;  // the running send_message

 private:
  void read_loop() {
    FrameDecoder decoder(kGatewayMaxFrame);
    std::string buffer(64u << 10, '\0');
    std::string reason = "gateway closed the connection";
    for (;;) {
      const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      decoder.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      while (auto event = decoder.next()) {
        if (event->kind != FrameEvent::Kind::frame) continue;
        auto message = parse_message(event->payload);
        if (message) route(std::move(*message));
      }
      if (decoder.failed()) {
        reason = "gateway sent an oversized frame";
        break;
      }
    }
    for (auto& [id, box] : mailboxes_.close())
      box->lose(reason);
  }

  void route(Message message) {
    auto id = request_id_of(message.payload);
    if (!id) return;  // an error about a frame we could not have sent
    auto box = mailboxes_.find(*id);
    if (!box) return;  // an abandoned request
    (*box)->deliver(std::move(message));
  }

  sys::UniqueFd fd_;
  ClientOptions options_;
  std::atomic<std::uint64_t> next_id_{0};
  std::mutex write_mu_;
  sys::RequestTable<std::shared_ptr<Mailbox>> mailboxes_;
  std::thread reader_;
};

Result<std::unique_ptr<Client>> Client::connect(const std::string& socket_path,
                                                ClientOptions options) {
  std::error_code error;
  sys::UniqueFd fd = sys::connect_unix(socket_path, sys::Clock::now() + options.connect_timeout,
                                       sys::FdMode::blocking, error);
  if (!fd) {
    return tl::unexpected(Error{ErrorCode::connection_failed,
                                errno_error("connect " + socket_path, error.value()).message});
  }
  return std::unique_ptr<Client>(new Client(std::make_unique<Impl>(std::move(fd), options)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

void Client::close() {
  impl_->close();
}

Result<rpc::HelloReply> Client::hello(std::optional<std::string> session_id) {
  rpc::HelloRequest request{"", std::move(session_id)};
  auto reply = impl_->call(rpc::kOpHello, rpc::to_json(request));
  if (!reply) return tl::unexpected(reply.error());
  return parse_reply(*reply, rpc::kOpHello, &rpc::parse_hello_reply);
}

Result<rpc::TurnComplete> Client::send_message(const std::string& session_id,
                                               const std::string& text,
                                               const TurnEventHandler& on_event) {
  const std::string id = impl_->next_id();
  rpc::SendMessageRequest request{id, session_id, text};
  {
    std::lock_guard lock(impl_->active_mu);
    impl_->active_request = id;
  }
  auto sent = impl_->send(rpc::kOpSendMessage, id, rpc::to_json(request));
  const auto deadline = std::chrono::steady_clock::now() + impl_->options().turn_timeout;
  Result<rpc::TurnComplete> result = fail(ErrorCode::connection_lost, "no reply");
  while (sent) {
    std::optional<std::chrono::milliseconds> timeout;
    if (impl_->options().turn_timeout.count() > 0) {
      timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
    }
    auto message = impl_->receive(id, timeout);
    if (!message) {
      result = tl::unexpected(message.error());
      break;
    }
    if (message->op == "error") {
      result = Impl::error_of(*message);
      break;
    }
    if (message->op == rpc::kOpTurnEvent) {
      auto event = rpc::parse_turn_event(message->payload);
      if (event && on_event) on_event(*event);
      continue;
    }
    result = parse_reply(*message, rpc::kOpTurnComplete, &rpc::parse_turn_complete);
    break;
  }
  if (!sent) result = tl::unexpected(sent.error());
  impl_->forget(id);
  std::lock_guard lock(impl_->active_mu);
  impl_->active_request.reset();
  return result;
}

Result<bool> Client::cancel_active() {
  std::optional<std::string> target;
  {
    std::lock_guard lock(impl_->active_mu);
    target = impl_->active_request;
  }
  if (!target) return false;
  return cancel(*target);
}

Result<bool> Client::cancel(const std::string& target_request_id) {
  auto reply = impl_->call(rpc::kOpCancel, rpc::to_json(rpc::CancelRequest{"", target_request_id}));
  if (!reply) return tl::unexpected(reply.error());
  auto parsed = parse_reply(*reply, rpc::kOpCancel, &rpc::parse_cancel_reply);
  if (!parsed) return tl::unexpected(parsed.error());
  return parsed->cancelled;
}

Result<rpc::NewSessionReply> Client::new_session() {
  auto reply = impl_->call(rpc::kOpNewSession, rpc::to_json(rpc::NewSessionRequest{}));
  if (!reply) return tl::unexpected(reply.error());
  return parse_reply(*reply, rpc::kOpNewSession, &rpc::parse_new_session_reply);
}

Result<rpc::ListSessionsReply> Client::list_sessions() {
  auto reply = impl_->call(rpc::kOpListSessions, rpc::to_json(rpc::ListSessionsRequest{}));
  if (!reply) return tl::unexpected(reply.error());
  return parse_reply(*reply, rpc::kOpListSessions, &rpc::parse_list_sessions_reply);
}

Result<rpc::HealthReply> Client::health() {
  auto reply = impl_->call(rpc::kOpHealth, rpc::to_json(rpc::HealthRequest{}));
  if (!reply) return tl::unexpected(reply.error());
  return parse_reply(*reply, rpc::kOpHealth, &rpc::parse_health_reply);
}

}  // namespace oxydra::gateway
