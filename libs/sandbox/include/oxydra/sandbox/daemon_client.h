#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "oxydra/sandbox/connect.h"
#include "oxydra/sandbox/endpoint.h"
#include "oxydra/sandbox/status.h"
#include "oxydra/types/error.h"
#include "oxydra/types/frame.h"
#include "oxydra/types/message.h"
#include "oxydra/types/shell_messages.h"

namespace oxydra::sandbox {

class RpcLink;

struct DaemonClientOptions {
  ConnectOptions connect{};
  // Bound on every request that has no timeout of its own (hello, spawn,
  // cancel, ...), and the margin added above an exec's own timeout.
  std::chrono::milliseconds request_timeout{30'000};
  std::string client_name = "oxydra-sandbox";
  std::size_t max_frame_bytes = kShellMaxFrame;  // largest reply accepted
};

struct CallOptions {
  // Unset: wait as long as it takes; a lost connection still ends the wait.
  std::optional<std::chrono::milliseconds> timeout{};
  // Messages other than the reply that carry this request's id (e.g. `output`
  // events). Runs on the connection's reader thread; must not wait on the client.
  std::function<void(const Message&)> on_event{};
  // Called with the request id once the request is on the wire.
  std::function<void(const std::string&)> on_sent{};
  // Send only to this daemon instance (see DaemonClient::epoch()); a request
  // for an instance that is gone fails with unknown_session, unsent.
  std::optional<std::uint64_t> epoch{};
  // Set to the daemon instance that answered.
  std::uint64_t* answered_by = nullptr;
  // Once stop is requested (the caller asked the daemon to cancel), the wait
  // ends within request_timeout even if the daemon never answers.
  std::stop_token stop{};
};

struct PostOptions {
  bool may_reconnect = true;
  std::optional<std::uint64_t> epoch{};  // as in CallOptions
};

// A client of the shell daemon RPC (protocol.md §4), shared by any number of
// threads and sessions. One connection at a time; a reader thread routes
// replies and events by request_id. When the connection drops, requests in
// flight fail with `connection_lost` (their outcome is unknown) and the next
// call reconnects and says hello again; a reply is only ever delivered to the
// request on the same connection that it answers, and request ids are never
// reused. Sessions belong to the daemon, so their ids survive a reconnect.
//
// A daemon that restarted numbers its sessions afresh, so an old session id
// may name someone else's new session. The client counts daemon instances
// (epochs): after a reconnect it compares hello's `instance` when the daemon
// sends one, and otherwise checks with list_sessions that the sessions it
// tracks still exist. Requests pinned to an older epoch fail unsent.
class DaemonClient {
 public:
  // Connects (with ConnectOptions' retry) and checks the daemon's hello. Error
  // codes are degraded reason codes: sidecar_connection_failed,
  // sidecar_protocol_error.
  static Result<std::shared_ptr<DaemonClient>> connect(const ParsedEndpoint& endpoint,
                                                       DaemonClientOptions options = {});
  ~DaemonClient();
  DaemonClient(const DaemonClient&) = delete;
  DaemonClient& operator=(const DaemonClient&) = delete;

  // Sends one request (its request_id is filled in) and waits for the reply.
  // An `error` reply becomes an Error with the daemon's code. Client-side
  // codes: connection_lost, request_timeout, closed, and the connect codes
  // when a reconnect fails. A request that never reached the daemon is
  // retried once on a new connection.
  Result<Message> call(std::string_view op, const nlohmann::json& payload,
                       const CallOptions& options = {});
  // Sends without waiting; the reply is dropped. Returns the request id. Never
  // reconnects from inside an event handler, nor when `may_reconnect` is false.
  Result<std::string> post(std::string_view op, nlohmann::json payload,
                           const PostOptions& options = {});

  // The daemon instance currently connected to, counted from 1.
  std::uint64_t epoch() const;
  // Sessions spawned through this client in the current epoch, for the
  // restart check after a reconnect.
  void track_session(const std::string& session_id);
  void forget_session(const std::string& session_id);

  // Available while connected or able to reconnect; otherwise why not.
  Availability status() const;
  shell_rpc::HelloReply hello() const;
  const ParsedEndpoint& endpoint() const { return endpoint_; }
  const DaemonClientOptions& options() const { return options_; }
  // Connections established so far (1 + reconnects).
  std::uint64_t connections() const;
  // Fails calls in flight with `connection_lost` and refuses new ones.
  void close();

 private:
  DaemonClient(ParsedEndpoint endpoint, DaemonClientOptions options);
  Result<std::shared_ptr<RpcLink>> current_link();
  Result<std::shared_ptr<RpcLink>> reconnect();
  Result<Message> call_on(RpcLink& link, std::string_view op, nlohmann::json payload,
                          const CallOptions& options, bool& retryable);
  // Whether the daemon behind a new connection is the one the client knew.
  bool same_daemon(RpcLink& link, const std::optional<std::string>& instance);
  std::string next_request_id();

  const ParsedEndpoint endpoint_;
  const DaemonClientOptions options_;
  std::atomic<std::uint64_t> next_id_{0};
  std::mutex connect_mu_;  // one (re)connect at a time
  mutable std::mutex mu_;  // the fields below
  std::shared_ptr<RpcLink> link_;
  shell_rpc::HelloReply hello_;
  std::optional<std::string> instance_;
  Availability status_;
  std::uint64_t connections_ = 0;
  std::uint64_t epoch_ = 1;
  std::set<std::string> sessions_;
  bool closed_ = false;
};

}  // namespace oxydra::sandbox
