#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>

#include "notifier.h"
#include "output_buffer.h"
#include "output_sink.h"
#include "oxydra/sys/utf8.h"
#include "process.h"
#include "shell_state.h"

namespace oxydra::shell_daemon {

struct CommandSpec {
  SpawnSpec spawn;
  std::optional<std::string> stdin_data;
  std::chrono::milliseconds timeout{0};  // zero: none
  std::chrono::milliseconds kill_grace{2000};
  std::size_t max_output_bytes = 64u << 10;
  std::size_t chunk_bytes = 64u << 10;  // most raw bytes in one `output` event
};

enum class StopReason { none, timeout, cancel, kill, shutdown };

struct CommandResult {
  ExitStatus status;
  StopReason stop_reason = StopReason::none;
  std::chrono::milliseconds duration{0};
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;
  KeptOutput output;
  std::optional<ShellState> state;  // absent when the shell did not report (killed, exec'd)
};

// One running command: its process group, its pipes, its deadline. run()
// supervises it to the end: output is read while it runs (kept as head and
// tail, and sent to the sink in streaming mode), and when the shell exits,
// whatever is left of its group is killed and the shell reaped.
class Command : public std::enable_shared_from_this<Command> {
 public:
  // `sink` is null in pull mode.
  static Result<std::shared_ptr<Command>> spawn(const asio::any_io_executor& executor,
                                                CommandSpec spec, std::shared_ptr<OutputSink> sink);
  ~Command();
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  // Call once. Completes after the shell has exited and been reaped and the
  // output read.
  asio::awaitable<CommandResult> run();

  // TERM to the group, KILL after the grace period. The first reason counts.
  void stop(StopReason reason);

  pid_t pid() const { return pid_; }
  bool exited() const { return exited_; }

 private:
  struct Stream {
    Stream(const asio::any_io_executor& executor, StreamKind kind, int fd, std::size_t max_output);
    StreamKind kind;
    asio::posix::stream_descriptor pipe;
    HeadTailBuffer kept;
    sys::Utf8Stream utf8;
    std::uint64_t raw_position = 0;  // bytes already sent to a raw sink
    std::vector<char> buffer;
  };

  Command(const asio::any_io_executor& executor, CommandSpec spec, SpawnedProcess process,
          std::shared_ptr<OutputSink> sink);

  // Each task takes a shared_ptr to the command so the coroutine frame keeps it alive.
  void start_task(asio::awaitable<void> task);
  asio::awaitable<void> pump(std::shared_ptr<Command> self, Stream& stream);
  void grow_for_bulk(Stream& stream);
  asio::awaitable<void> consume(Stream& stream, std::string_view bytes);
  asio::awaitable<void> write_stdin(std::shared_ptr<Command> self);
  void on_shell_exit();

  asio::any_io_executor executor_;
  CommandSpec spec_;
  pid_t pid_;
  std::chrono::steady_clock::time_point started_;
  asio::posix::stream_descriptor pidfd_;
  asio::posix::stream_descriptor stdin_;
  sys::UniqueFd state_file_;
  Stream out_;
  Stream err_;
  std::shared_ptr<OutputSink> sink_;
  asio::steady_timer deadline_;
  asio::steady_timer grace_;
  StopReason stop_reason_ = StopReason::none;
  bool terminating_ = false;
  bool exited_ = false;
  bool reaped_ = false;
  int tasks_ = 0;
  Notifier tasks_done_;
};

}  // namespace oxydra::shell_daemon
