#include "session.h"

#include "oxydra/types/shell_messages.h"

namespace oxydra::shell_daemon {

Session::Session(const asio::any_io_executor& executor, RunningCommands& running, std::string id,
                 std::string shell, bool login, std::string cwd, std::vector<std::string> env)
    : running_(running),
      id_(std::move(id)),
      shell_(std::move(shell)),
      login_(login),
      cwd_(std::move(cwd)),
      initial_env_(std::move(env)),
      executor_(executor),
      idle_(executor) {}

Result<std::shared_ptr<Command>> Session::start(const ExecParams& params,
                                                std::shared_ptr<OutputSink> sink) {
  if (command_) {
    return fail(ErrorCode::busy, "session " + id_ + " is running a command");
  }
  pending_.clear();
  CommandSpec spec;
  // The first command gets the session's initial environment; later ones
  // start empty and re-evaluate what the previous one exported, so `unset`
  // persists too.
  spec.spawn.argv = wrapper_argv(shell_, login_, params.command, exports_.value_or(""));
  if (!exports_) spec.spawn.env = initial_env_;
  spec.spawn.cwd = cwd_;
  spec.stdin_data = params.stdin_data;
  spec.timeout = params.timeout;
  spec.kill_grace = params.kill_grace;
  spec.max_output_bytes = params.max_output_bytes;
  spec.chunk_bytes = params.chunk_bytes;
  auto command = Command::spawn(executor_, std::move(spec), std::move(sink));
  if (!command) return tl::unexpected(command.error());
  command_ = *command;
  ++running_.count;
  running_.changed.notify_all();
  return command_;
}

asio::awaitable<CommandResult> Session::finish(std::shared_ptr<Command> command) {
  CommandResult result = co_await command->run();
  if (result.state) {
    cwd_ = result.state->cwd;
    exports_ = std::move(result.state->exports);
  }
  pending_ =
      PendingOutput(std::move(result.output.stdout_text), std::move(result.output.stderr_text));
  command_.reset();
  --running_.count;
  running_.changed.notify_all();
  idle_.notify_all();
  co_return result;
}

void Session::stop(StopReason reason) {
  if (command_) command_->stop(reason);
}

asio::awaitable<void> Session::wait_idle() {
  while (command_)
    co_await idle_.wait();
}

}  // namespace oxydra::shell_daemon
