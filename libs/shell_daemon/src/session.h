#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "command.h"
#include "notifier.h"
#include "pending_output.h"

namespace oxydra::shell_daemon {

// Counts running commands across sessions, for shutdown.
struct RunningCommands {
  explicit RunningCommands(const asio::any_io_executor& executor) : changed(executor) {}
  std::size_t count = 0;
  Notifier changed;
};

struct ExecParams {
  std::string command;
  std::optional<std::string> stdin_data;
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds kill_grace{2000};
  std::size_t max_output_bytes = 64u << 10;
  std::size_t chunk_bytes = 64u << 10;
};

// A shell session: its state between commands (cwd, exported environment),
// at most one running command, and the output of the last one for pull mode.
class Session {
 public:
  Session(const asio::any_io_executor& executor, RunningCommands& running, std::string id,
          std::string shell, bool login, std::string cwd, std::vector<std::string> env);

  const std::string& id() const { return id_; }
  const std::string& cwd() const { return cwd_; }
  bool running() const { return command_ != nullptr; }

  // Spawns the command, or fails with `busy` or `spawn_failed`. Undrained
  // output of the previous command is dropped. `sink` is null in pull mode.
  Result<std::shared_ptr<Command>> start(const ExecParams& params,
                                         std::shared_ptr<OutputSink> sink);
  // Supervises the started command to its end and keeps the state it left.
  asio::awaitable<CommandResult> finish(std::shared_ptr<Command> command);

  void stop(StopReason reason);
  asio::awaitable<void> wait_idle();

  PendingOutput& pending() { return pending_; }

 private:
  RunningCommands& running_;
  std::string id_;
  std::string shell_;
  bool login_ = false;
  std::string cwd_;
  std::vector<std::string> initial_env_;
  std::optional<std::string> exports_;  // set once a command has reported its state
  std::shared_ptr<Command> command_;
  PendingOutput pending_;
  asio::any_io_executor executor_;
  Notifier idle_;
};

}  // namespace oxydra::shell_daemon
