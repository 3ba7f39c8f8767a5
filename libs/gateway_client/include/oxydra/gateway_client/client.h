#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "oxydra/types/error.h"
#include "oxydra/types/gateway_messages.h"

namespace oxydra::gateway {

struct ClientOptions {
  // Keep retrying while the socket is absent or refusing (oxydra-vm starting).
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  // Bound on every request except send_message.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  // Bound on a whole send_message; 0: none (the server's turn timeout applies).
  std::chrono::milliseconds turn_timeout{0};
};

using TurnEventHandler = std::function<void(const gateway_rpc::TurnEvent&)>;

// A blocking client of the gateway (protocol.md §6), for the runner's chat
// and ask commands and for tests. Thread-safe: cancel_active() may be called
// from another thread (e.g. a SIGINT watcher) while send_message() streams.
// A reader thread routes replies by request_id. Errors: a gateway `error`
// reply keeps its code (busy, unknown_session, ...); client-side codes are
// connection_failed, connection_lost, timeout and invalid_reply.
class Client {
 public:
  static Result<std::unique_ptr<Client>> connect(const std::string& socket_path,
                                                 ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // No session_id: the server's current session (resumed or new).
  Result<gateway_rpc::HelloReply> hello(std::optional<std::string> session_id = std::nullopt);
  // Streams the turn's events to `on_event` on this thread, in order, and
  // returns its turn_complete.
  Result<gateway_rpc::TurnComplete> send_message(const std::string& session_id,
                                                 const std::string& text,
                                                 const TurnEventHandler& on_event = {});
  // Cancels the send_message running on this client; false when none is (or
  // it had already finished on the server).
  Result<bool> cancel_active();
  Result<bool> cancel(const std::string& target_request_id);
  Result<gateway_rpc::NewSessionReply> new_session();
  Result<gateway_rpc::ListSessionsReply> list_sessions();
  Result<gateway_rpc::HealthReply> health();

  // Closes the connection; calls in progress fail with connection_lost.
  void close();

  class Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace oxydra::gateway
