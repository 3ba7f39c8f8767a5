#include "command.h"

#include <fcntl.h>
#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace oxydra::shell_daemon {

namespace {

using asio::use_awaitable;
using asio::experimental::as_tuple;

// After the shell exits, its pipes are read until empty, but no further than
// this: a detached process that still holds them must not keep us here.
constexpr std::size_t kDrainBudget = 1u << 20;
// A streaming command's pipes are enlarged so that it keeps writing while the
// daemon is busy encoding, and they are read in large gulps (fewer wake-ups and
// system calls per byte); each gulp is still sent as events of at most
// `chunk_bytes`. Only streaming commands pay for this: a pipe's pages count
// against the user's pipe allowance, and the read buffers against our memory.
constexpr int kStreamPipeBytes = 1 << 20;
constexpr std::size_t kStreamReadBytes = 256u << 10;

}  // namespace

Command::Stream::Stream(const asio::any_io_executor& executor, StreamKind k, int fd,
                        std::size_t max_output)
    : kind(k), pipe(executor, fd), kept(make_stream_buffer(max_output)) {}

Result<std::shared_ptr<Command>> Command::spawn(const asio::any_io_executor& executor,
                                                CommandSpec spec,
                                                std::shared_ptr<OutputSink> sink) {
  spec.spawn.with_stdin = spec.stdin_data.has_value();
  auto process = spawn_process(spec.spawn);
  if (!process) return tl::unexpected(process.error());
  return std::shared_ptr<Command>(
      new Command(executor, std::move(spec), std::move(*process), std::move(sink)));
}

Command::Command(const asio::any_io_executor& executor, CommandSpec spec, SpawnedProcess process,
                 std::shared_ptr<OutputSink> sink)
    : executor_(executor),
      spec_(std::move(spec)),
      pid_(process.pid),
      started_(std::chrono::steady_clock::now()),
      pidfd_(executor, process.pidfd.release()),
      stdin_(executor),
      state_file_(std::move(process.state_file)),
      out_(executor, StreamKind::out, process.stdout_pipe.release(), spec_.max_output_bytes),
      err_(executor, StreamKind::err, process.stderr_pipe.release(), spec_.max_output_bytes),
      sink_(std::move(sink)),
      deadline_(executor),
      grace_(executor),
      tasks_done_(executor) {
  if (process.stdin_pipe) stdin_.assign(process.stdin_pipe.release());
  out_.buffer.resize(spec_.chunk_bytes);
  err_.buffer.resize(spec_.chunk_bytes);
}

// A streaming command that fills a whole read is a bulk producer: only then
// are the large pipe and read buffer worth their cost (most commands print a
// few lines, and a round trip should not pay for zero-filling 256 KiB).
void Command::grow_for_bulk(Stream& stream) {
  if (!sink_ || stream.buffer.size() >= kStreamReadBytes) return;
  // Best effort: over the pipe allowance the default size stays.
  ::fcntl(stream.pipe.native_handle(), F_SETPIPE_SZ, kStreamPipeBytes);
  stream.buffer.resize(kStreamReadBytes);
}

// Normally run() has reaped the shell; this covers a command abandoned early
// (an io_context torn down mid-run): no survivor, no zombie.
Command::~Command() {
  if (!reaped_) {
    signal_group(pid_, SIGKILL);
    reap(pid_);
  }
}

void Command::start_task(asio::awaitable<void> task) {
  ++tasks_;
  asio::co_spawn(executor_, std::move(task),
                 [self = shared_from_this()](const std::exception_ptr& error) {
                   if (error) spdlog::error("command {}: output task failed", self->pid_);
                   --self->tasks_;
                   self->tasks_done_.notify_all();
                 });
}

asio::awaitable<CommandResult> Command::run() {
  auto self = shared_from_this();
  if (spec_.timeout.count() > 0) {
    deadline_.expires_after(spec_.timeout);
    deadline_.async_wait([weak = weak_from_this()](const std::error_code& ec) {
      if (auto command = weak.lock(); command && !ec) command->stop(StopReason::timeout);
    });
  }
  start_task(pump(self, out_));
  start_task(pump(self, err_));
  if (stdin_.is_open()) start_task(write_stdin(self));

  // An error here means the wait was cancelled; peek_exit below then blocks
  // until the (killed) shell is gone, so the result is always real.
  co_await pidfd_.async_wait(asio::posix::descriptor_base::wait_read, as_tuple(use_awaitable));
  CommandResult result;
  if (auto status = peek_exit(pid_)) {
    result.status = *status;
  } else {
    spdlog::error("command {}: {}", pid_, status.error().message);
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  on_shell_exit();

  while (tasks_ > 0)
    co_await tasks_done_.wait();
  result.stop_reason = stop_reason_;
  result.stdout_bytes = out_.kept.total();
  result.stderr_bytes = err_.kept.total();
  result.output = keep_output(out_.kept, err_.kept, spec_.max_output_bytes);
  result.state = parse_state(read_state_file(state_file_.get()));
  co_return result;
}

void Command::on_shell_exit() {
  // Jobs the command left in its group die with it. The unreaped shell still
  // holds the group id, so this cannot hit a recycled group.
  signal_group(pid_, SIGKILL);
  reap(pid_);
  wait_group_dead(pid_, std::chrono::milliseconds(500));
  reaped_ = true;
  exited_ = true;
  std::error_code ignored;
  deadline_.cancel();
  grace_.cancel();
  pidfd_.close(ignored);
  // Wake the readers: they drain what is buffered without waiting for EOF.
  out_.pipe.cancel(ignored);
  err_.pipe.cancel(ignored);
  stdin_.close(ignored);
}

void Command::stop(StopReason reason) {
  if (!exited_ && stop_reason_ == StopReason::none) stop_reason_ = reason;
  // Output is no longer wanted by anyone when the session is going away, and
  // once the shell is gone a stalled reader must not hold the reply.
  if (sink_ && (exited_ || reason == StopReason::kill || reason == StopReason::shutdown)) {
    sink_->abandon();
  }
  if (exited_ || terminating_) return;
  terminating_ = true;
  signal_group(pid_, SIGTERM);
  signal_group(pid_, SIGCONT);  // a stopped process only sees TERM once continued
  grace_.expires_after(spec_.kill_grace);
  grace_.async_wait([weak = weak_from_this()](const std::error_code& ec) {
    if (auto command = weak.lock(); command && !ec && !command->reaped_) {
      signal_group(command->pid_, SIGKILL);
    }
  });
}

asio::awaitable<void> Command::pump(std::shared_ptr<Command> /*alive*/, Stream& stream) {
  bool eof = false;
  while (!exited_) {
    auto [ec, n] =
        co_await stream.pipe.async_read_some(asio::buffer(stream.buffer), as_tuple(use_awaitable));
    if (ec == asio::error::operation_aborted) continue;
    if (ec || n == 0) {
      eof = true;
      break;
    }
    const bool filled = n == stream.buffer.size();
    co_await consume(stream, std::string_view(stream.buffer.data(), n));
    if (filled) grow_for_bulk(stream);
  }
  std::error_code ec;
  if (!eof) {
    stream.pipe.non_blocking(true, ec);
    std::size_t budget = kDrainBudget;
    while (budget > 0 && !ec) {
      const std::size_t n = stream.pipe.read_some(asio::buffer(stream.buffer), ec);
      if (ec || n == 0) break;
      co_await consume(stream, std::string_view(stream.buffer.data(), n));
      budget -= std::min(budget, n);
    }
  }
  if (sink_ && !sink_->raw()) {
    const std::uint64_t offset = stream.utf8.position();
    std::string_view rest = stream.utf8.finish();
    if (!rest.empty()) co_await sink_->write_output(stream.kind, rest, offset);
  }
  stream.pipe.close(ec);
  stream.buffer = {};
}

asio::awaitable<void> Command::consume(Stream& stream, std::string_view bytes) {
  stream.kept.append(bytes);
  if (!sink_) co_return;
  while (!bytes.empty()) {
    const std::string_view slice = bytes.substr(0, spec_.chunk_bytes);
    bytes.remove_prefix(slice.size());
    if (sink_->raw()) {
      const std::uint64_t offset = stream.raw_position;
      stream.raw_position += slice.size();
      co_await sink_->write_output(stream.kind, slice, offset);
      continue;
    }
    const std::uint64_t offset = stream.utf8.position();
    std::string_view text = stream.utf8.feed(slice);
    if (!text.empty()) co_await sink_->write_output(stream.kind, text, offset);
  }
}

asio::awaitable<void> Command::write_stdin(std::shared_ptr<Command> /*alive*/) {
  // Errors (EPIPE: the command did not read it all; cancelled: it exited) just end the input.
  co_await asio::async_write(stdin_, asio::buffer(*spec_.stdin_data), as_tuple(use_awaitable));
  std::error_code ec;
  stdin_.close(ec);
}

}  // namespace oxydra::shell_daemon
