#pragma once

#include <chrono>
#include <memory>

#include "oxydra/gateway/agent_setup.h"
#include "oxydra/types/error.h"

namespace oxydra::gateway {

struct ServerOptions {
  // SIGTERM and SIGINT stop the server: running turns are cancelled, their
  // turn_complete is sent, connections are closed, run() returns 0.
  bool handle_signals = true;
  // Direct mode: SIGINT cancels the running turns instead, and stops the
  // server only when no turn is running.
  bool sigint_cancels_turns = false;
  // How long a stop waits for cancelled turns to wind down.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(10)};
};

// The gateway (protocol.md §6) on a Unix socket: hello, send_message with
// streamed turn events, cancel, new_session, list_sessions, health. One
// server thread (asio); each turn runs on a worker thread of its own, one
// turn per session at a time (`busy` otherwise). A client that disconnects
// has its running turns cancelled.
class Server {
 public:
  // Binds setup.gateway_socket (mode 0600, directory 0700; a stale socket is
  // replaced, a live one refused).
  static Result<std::unique_ptr<Server>> listen(AgentSetup setup, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until stop() or a signal; returns the exit status (0 after a clean stop).
  int run();
  // From any thread.
  void stop();

  const AgentSetup& setup() const;

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace oxydra::gateway
