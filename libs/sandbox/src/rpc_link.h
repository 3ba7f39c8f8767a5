#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "framed_connection.h"
#include "oxydra/sys/request_table.h"

namespace oxydra::sandbox {

using EventHandler = std::function<void(const Message&)>;

// One request waiting for its reply. Events run under `mu_`, so once wait()
// has returned no event handler runs again: handlers may point into the
// waiting caller's stack frame.
class PendingCall {
 public:
  PendingCall(std::string op, std::string id, EventHandler on_event);

  void event(const Message& message);
  void complete(Result<Message> outcome);
  // The outcome, or nullopt at the deadline. Once `stop` is requested the wait
  // ends within `grace`. Either way no handler runs afterwards.
  std::optional<Result<Message>> wait(Clock::time_point deadline, const std::stop_token& stop,
                                      Clock::duration grace);

  const std::string& op() const { return op_; }
  const std::string& id() const { return id_; }

 private:
  const std::string op_;
  const std::string id_;
  EventHandler on_event_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::optional<Result<Message>> outcome_;
  bool closed_ = false;
};

// One connection to the daemon and the reader thread that routes its replies
// and events to pending calls by request_id. When the connection ends, every
// pending call fails and the link stays dead: replies are never carried over
// to another connection.
class RpcLink {
 public:
  RpcLink(sys::UniqueFd fd, std::string peer, std::size_t max_frame_bytes);
  ~RpcLink();
  RpcLink(const RpcLink&) = delete;
  RpcLink& operator=(const RpcLink&) = delete;

  void start();
  // Register before writing the request, so a fast reply finds its caller.
  // False once the link is dead.
  bool add(const std::shared_ptr<PendingCall>& call);
  void remove(const std::string& id);
  // A failed write leaves a partial frame behind: the link is killed.
  Result<void> write(std::string_view frame, Clock::time_point deadline, std::size_t& written);
  // Ends the connection; pending calls fail with `reason`.
  void kill(const std::string& reason);

  bool alive() const;
  const std::string& peer() const { return conn_.peer(); }
  // Which daemon instance (as the client counts them) is at the other end.
  std::uint64_t epoch() const { return epoch_.load(); }
  void set_epoch(std::uint64_t epoch) { epoch_.store(epoch); }

 private:
  void run();
  void route(Message message);
  void fail_all(const std::string& reason);

  FramedConnection conn_;
  sys::RequestTable<std::shared_ptr<PendingCall>> pending_;
  mutable std::mutex mu_;  // kill_reason_
  std::optional<std::string> kill_reason_;
  std::atomic<std::uint64_t> epoch_{0};
  std::thread reader_;
};

// True on any link's reader thread, where waiting for a reply would deadlock.
bool on_rpc_reader_thread();

}  // namespace oxydra::sandbox
