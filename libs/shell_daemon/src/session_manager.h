#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "oxydra/types/shell_messages.h"
#include "session.h"

namespace oxydra::shell_daemon {

// The daemon's sessions. Ids are "session-000001" onwards, never reused, and
// sessions outlive the connection that created them.
class SessionManager {
 public:
  SessionManager(const asio::any_io_executor& executor, std::size_t max_sessions,
                 std::string default_shell);

  // Checks the shell and cwd now, so a bad one fails here and not later.
  Result<std::shared_ptr<Session>> create(const shell_rpc::SpawnSessionRequest& request);
  std::shared_ptr<Session> find(const std::string& id) const;
  // Forgets the session; a command it runs is the caller's to stop.
  std::shared_ptr<Session> remove(const std::string& id);
  std::vector<shell_rpc::SessionInfo> list() const;
  std::size_t size() const { return sessions_.size(); }

  // Shutdown: stops every running command (kept sessions and removed ones
  // alike) and waits until all are reaped.
  void stop_all(StopReason reason);
  asio::awaitable<void> wait_all_idle();
  std::size_t running() const { return running_.count; }

 private:
  asio::any_io_executor executor_;
  std::size_t max_sessions_;
  std::string default_shell_;
  std::uint64_t next_id_ = 1;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  std::vector<std::weak_ptr<Session>> removed_;  // may still run a command
  RunningCommands running_;
};

}  // namespace oxydra::shell_daemon
