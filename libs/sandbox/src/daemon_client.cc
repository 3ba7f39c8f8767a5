#include "oxydra/sandbox/daemon_client.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "rpc_link.h"

namespace oxydra::sandbox {

namespace rpc = shell_rpc;

namespace {

tl::unexpected<Error> gone(std::string_view op) {
  return fail(ErrorCode::unknown_session,
              std::string(op) + ": the shell daemon restarted since this session was spawned");
}

std::optional<std::string> optional_string_field(const nlohmann::json& payload,
                                                 std::string_view key) {
  auto it = payload.find(key);
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

Result<std::shared_ptr<DaemonClient>> DaemonClient::connect(const ParsedEndpoint& endpoint,
                                                            DaemonClientOptions options) {
  std::shared_ptr<DaemonClient> client(new DaemonClient(endpoint, std::move(options)));
  auto link = client->reconnect();
  if (!link) return tl::unexpected(link.error());
  return client;
}

DaemonClient::DaemonClient(ParsedEndpoint endpoint, DaemonClientOptions options)
    : endpoint_(std::move(endpoint)), options_(std::move(options)) {}

DaemonClient::~DaemonClient() {
  close();
}

std::string DaemonClient::next_request_id() {
  return "r-" + std::to_string(next_id_.fetch_add(1) + 1);
}

Result<std::shared_ptr<RpcLink>> DaemonClient::current_link() {
  {
    std::lock_guard lock(mu_);
    if (closed_)
      return fail(ErrorCode::connection_lost,
                  "shell daemon client for " + endpoint_.describe() + " is closed");
    if (link_ && link_->alive()) return link_;
  }
  return reconnect();
}

Result<std::shared_ptr<RpcLink>> DaemonClient::reconnect() {
  std::lock_guard connect_lock(connect_mu_);
  {
    std::lock_guard lock(mu_);
    if (closed_)
      return fail(ErrorCode::connection_lost,
                  "shell daemon client for " + endpoint_.describe() + " is closed");
    // Another caller may have reconnected while this one waited.
    if (link_ && link_->alive()) return link_;
  }
  auto set_status = [&](Availability status) {
    std::lock_guard lock(mu_);
    status_ = std::move(status);
  };
  auto fd = connect_endpoint(endpoint_, options_.connect);
  if (!fd) {
    set_status(Availability::unavailable(fd.error().code, fd.error().message));
    return tl::unexpected(fd.error());
  }
  auto link =
      std::make_shared<RpcLink>(std::move(*fd), endpoint_.describe(), options_.max_frame_bytes);
  link->start();

  bool retryable = false;
  CallOptions hello_options;
  hello_options.timeout = options_.request_timeout;
  auto reply = call_on(
      *link, rpc::kOpHello,
      rpc::to_json(rpc::HelloRequest{
          "", rpc::kProtocolVersion, options_.client_name, {std::string(rpc::kEncodingBase64)}}),
      hello_options, retryable);
  Result<rpc::HelloReply> hello =
      reply ? rpc::parse_hello_reply(reply->payload) : tl::unexpected(reply.error());
  if (hello && hello->protocol_version != rpc::kProtocolVersion) {
    hello = fail(ErrorCode::invalid_request,
                 "daemon speaks protocol_version " + std::to_string(hello->protocol_version) +
                     ", client speaks " + std::to_string(rpc::kProtocolVersion));
  }
  if (!hello) {
    link->kill("hello failed");
    Error error{ErrorCode::sidecar_protocol_error,
                "hello to " + endpoint_.describe() + ": " + hello.error().message};
    set_status(Availability::unavailable(error.code, error.message));
    return tl::unexpected(std::move(error));
  }

  const auto instance = optional_string_field(reply->payload, "instance");
  const bool restarted = connections() > 0 && !same_daemon(*link, instance);

  std::lock_guard lock(mu_);
  if (closed_) {
    link->kill("client closed");
    return fail(ErrorCode::connection_lost,
                "shell daemon client for " + endpoint_.describe() + " is closed");
  }
  if (restarted) {
    ++epoch_;
    sessions_.clear();
    spdlog::warn("shell daemon at {} restarted: its earlier sessions are gone",
                 endpoint_.describe());
  } else if (connections_ > 0) {
    spdlog::info("reconnected to shell daemon at {}", endpoint_.describe());
  }
  link->set_epoch(epoch_);
  link_ = link;
  hello_ = std::move(*hello);
  instance_ = instance;
  status_ = Availability::ok();
  ++connections_;
  return link;
}

bool DaemonClient::same_daemon(RpcLink& link, const std::optional<std::string>& instance) {
  std::set<std::string> tracked;
  {
    std::lock_guard lock(mu_);
    if (instance && instance_) return *instance == *instance_;
    tracked = sessions_;
  }
  // No session to mix up: which instance this is does not matter.
  if (tracked.empty()) return true;
  bool retryable = false;
  CallOptions options;
  options.timeout = options_.request_timeout;
  auto reply = call_on(link, rpc::kOpListSessions, rpc::to_json(rpc::ListSessionsRequest{}),
                       options, retryable);
  auto listed = reply ? rpc::parse_list_sessions_reply(reply->payload)
                      : Result<rpc::ListSessionsReply>(tl::unexpected(reply.error()));
  if (!listed) return false;  // cannot tell: assume the worst, old ids stay unused
  std::set<std::string> alive;
  for (const auto& session : listed->sessions)
    alive.insert(session.session_id);
  return std::includes(alive.begin(), alive.end(), tracked.begin(), tracked.end());
}

Result<Message> DaemonClient::call(std::string_view op, const nlohmann::json& payload,
                                   const CallOptions& options) {
  if (on_rpc_reader_thread()) {
    return fail(ErrorCode::invalid_request,
                std::string(op) + ": cannot wait for a reply inside an event handler");
  }
  for (int attempt = 0;; ++attempt) {
    auto link = current_link();
    if (!link) return tl::unexpected(link.error());
    if (options.epoch && (*link)->epoch() != *options.epoch) return gone(op);
    bool retryable = false;
    auto reply = call_on(**link, op, payload, options, retryable);
    // Retry only what the daemon cannot have seen: a request on a connection
    // found dead before any byte of it was written.
    if (reply || !retryable || attempt > 0) return reply;
    spdlog::debug("{}: {} not sent ({}); reconnecting", endpoint_.describe(), op,
                  reply.error().message);
  }
}

Result<Message> DaemonClient::call_on(RpcLink& link, std::string_view op, nlohmann::json payload,
                                      const CallOptions& options, bool& retryable) {
  retryable = false;
  const std::string id = next_request_id();
  const std::string what = std::string(op) + " " + id;
  auto pending = std::make_shared<PendingCall>(std::string(op), id, options.on_event);
  if (!link.add(pending)) {
    retryable = true;
    return fail(ErrorCode::connection_lost, what + ": connection to " + link.peer() + " is closed");
  }
  payload["request_id"] = id;
  const std::string frame = encode_message(op, payload);
  std::uint64_t limit = 0;
  {
    std::lock_guard lock(mu_);
    limit = hello_.limits.max_frame_bytes;
  }
  if (limit == 0) limit = kShellMaxFrame;
  if (frame.size() - kFramePrefixBytes > limit) {
    link.remove(id);
    return fail(ErrorCode::invalid_request,
                what + ": request of " + std::to_string(frame.size() - kFramePrefixBytes) +
                    " bytes exceeds the daemon's max frame of " + std::to_string(limit));
  }
  std::size_t written = 0;
  auto sent = link.write(frame, Clock::now() + options_.request_timeout, written);
  if (!sent) {
    link.remove(id);
    retryable = written == 0;
    return fail(ErrorCode::connection_lost, what + ": " + sent.error().message);
  }
  if (options.on_sent) options.on_sent(id);
  if (options.answered_by) *options.answered_by = link.epoch();
  const auto deadline =
      options.timeout ? Clock::now() + *options.timeout : Clock::time_point::max();
  auto outcome = pending->wait(deadline, options.stop, options_.request_timeout);
  if (!outcome) {
    link.remove(id);
    const std::string why =
        options.stop.stop_requested()
            ? "no reply after it was cancelled"
            : "no reply within " + std::to_string(options.timeout->count()) + " ms";
    return fail(ErrorCode::request_timeout, what + ": " + why + " from " + link.peer());
  }
  return std::move(*outcome);
}

Result<std::string> DaemonClient::post(std::string_view op, nlohmann::json payload,
                                       const PostOptions& options) {
  std::shared_ptr<RpcLink> link;
  if (!options.may_reconnect || on_rpc_reader_thread()) {
    std::lock_guard lock(mu_);
    link = link_;
    if (!link || !link->alive()) {
      return fail(ErrorCode::connection_lost,
                  std::string(op) + ": not connected to " + endpoint_.describe());
    }
  } else {
    auto current = current_link();
    if (!current) return tl::unexpected(current.error());
    link = std::move(*current);
  }
  if (options.epoch && link->epoch() != *options.epoch) return gone(op);
  const std::string id = next_request_id();
  payload["request_id"] = id;
  std::size_t written = 0;
  auto sent =
      link->write(encode_message(op, payload), Clock::now() + options_.request_timeout, written);
  if (!sent)
    return fail(ErrorCode::connection_lost,
                std::string(op) + " " + id + ": " + sent.error().message);
  return id;
}

std::uint64_t DaemonClient::epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}

void DaemonClient::track_session(const std::string& session_id) {
  std::lock_guard lock(mu_);
  sessions_.insert(session_id);
}

void DaemonClient::forget_session(const std::string& session_id) {
  std::lock_guard lock(mu_);
  sessions_.erase(session_id);
}

Availability DaemonClient::status() const {
  std::lock_guard lock(mu_);
  if (closed_) {
    return Availability::unavailable(
        degraded::kSidecarUnavailable,
        "shell daemon client for " + endpoint_.describe() + " is closed");
  }
  return status_;
}

shell_rpc::HelloReply DaemonClient::hello() const {
  std::lock_guard lock(mu_);
  return hello_;
}

std::uint64_t DaemonClient::connections() const {
  std::lock_guard lock(mu_);
  return connections_;
}

void DaemonClient::close() {
  std::shared_ptr<RpcLink> link;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    link = std::move(link_);
  }
  if (link) link->kill("client closed");
}

}  // namespace oxydra::sandbox
