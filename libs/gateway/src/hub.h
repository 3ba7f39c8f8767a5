#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "oxydra/gateway/agent_setup.h"
#include "oxydra/runtime/agent.h"
#include "oxydra/types/message.h"
#include "session_registry.h"

namespace oxydra::gateway {

// A connected client, as the hub sees it: somewhere to send frames.
class Peer {
 public:
  virtual ~Peer() = default;
  // Queues one encoded frame; server thread only.
  virtual void send(std::string frame) = 0;
};

// Runs a function on the server thread (asio::post in the server).
using Post = std::function<void(std::function<void()>)>;

// The gateway's request handling (protocol.md §6), independent of sockets.
// Every method runs on the server thread. Turns run on a worker thread each,
// one per session at a time; their events are posted back to the server
// thread and sent to the peer that asked, if it is still connected.
class Hub {
 public:
  Hub(const AgentSetup& setup, Post post);
  ~Hub();  // only once idle(): running turns must have finished
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  void handle(const std::shared_ptr<Peer>& peer, const Message& message);
  // The peer went away: its turns are cancelled (nobody is left to read them).
  void peer_closed(const Peer* peer);
  // Cancels every running turn; returns how many there were.
  std::size_t cancel_all();
  bool idle() const { return turns_.empty(); }
  // Called whenever the last running turn has finished.
  void set_on_idle(std::function<void()> on_idle) { on_idle_ = std::move(on_idle); }

 private:
  struct Turn {
    std::string request_id;
    std::string session_id;
    std::weak_ptr<Peer> peer;
    const Peer* peer_key = nullptr;
    std::shared_ptr<runtime::TurnControl> control;
    std::shared_ptr<SessionState> state;
    std::thread worker;
  };

  void on_hello(Peer& peer, const nlohmann::json& payload);
  void on_send_message(const std::shared_ptr<Peer>& peer, const nlohmann::json& payload);
  void on_cancel(Peer& peer, const nlohmann::json& payload);
  void on_new_session(Peer& peer, const nlohmann::json& payload);
  void on_list_sessions(Peer& peer, const nlohmann::json& payload);
  void on_health(Peer& peer, const nlohmann::json& payload);

  void run_turn(Turn& turn, std::string text);  // on the worker thread
  void finish_turn(const std::string& session_id, runtime::TurnResult result,
                   std::uint64_t message_count);

  const AgentSetup& setup_;
  Post post_;
  runtime::Agent agent_;
  SessionRegistry sessions_;
  std::map<std::string, std::unique_ptr<Turn>> turns_;  // by session id
  std::function<void()> on_idle_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace oxydra::gateway
