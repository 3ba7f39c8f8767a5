#include "oxydra/sandbox/local_shell_session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <stop_token>

#include "local_process.h"
#include "local_shell_state.h"
#include "output_capture.h"
#include "oxydra/sys/utf8.h"
#include "oxydra/types/shell_messages.h"

namespace oxydra::sandbox {

namespace {

namespace rpc = shell_rpc;

std::string next_session_id() {
  static std::atomic<unsigned> counter{0};
  char buf[32];
  std::snprintf(buf, sizeof buf, "local-%06u", counter.fetch_add(1) + 1);
  return buf;
}

// Hands output to the streaming callback as valid UTF-8, holding back a
// sequence split across reads until its remaining bytes arrive.
class StreamForwarder {
 public:
  StreamForwarder(OutputStream stream, const OutputCallback& callback)
      : stream_(stream), callback_(callback) {}

  void feed(std::string_view bytes, bool last = false) {
    if (!callback_) return;
    const std::uint64_t offset = utf8_.position();
    std::string text(utf8_.feed(bytes));
    if (last) text.append(utf8_.finish());
    if (text.empty()) return;
    callback_(OutputChunk{stream_, std::move(text), offset});
  }

 private:
  OutputStream stream_;
  const OutputCallback& callback_;
  sys::Utf8Stream utf8_;
};

}  // namespace

LocalProcessShellSession::LocalProcessShellSession() : LocalProcessShellSession(Options{}) {}

LocalProcessShellSession::LocalProcessShellSession(Options options) : options_(std::move(options)) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    cancel_read_.reset(fds[0]);
    cancel_write_.reset(fds[1]);
  }
}

LocalProcessShellSession::~LocalProcessShellSession() = default;

Availability LocalProcessShellSession::status() const {
  return Availability::degraded(degraded::kInsecureProcessTier,
                                "local shell: commands run on the host without isolation");
}

Result<void> LocalProcessShellSession::check_ready() const {
  if (!spawned_) {
    return fail(ErrorCode::unknown_session, "local shell session " +
                                                (id_.empty() ? std::string("(none)") : id_) +
                                                " is not running: spawn it first");
  }
  return {};
}

Result<void> LocalProcessShellSession::spawn(const SpawnOptions& options) {
  std::lock_guard lock(mu_);
  if (running_) return fail(ErrorCode::busy, "local shell " + id_ + ": a command is running");
  std::string cwd;
  if (options.cwd) {
    cwd = *options.cwd;
  } else {
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf) == nullptr) {
      return fail(ErrorCode::spawn_failed, errno_error("getcwd", errno).message);
    }
    cwd = buf;
  }
  struct stat st {};
  if (::stat(cwd.c_str(), &st) != 0) {
    return fail(ErrorCode::spawn_failed, errno_error("cwd " + cwd, errno).message);
  }
  if (!S_ISDIR(st.st_mode)) {
    return fail(ErrorCode::spawn_failed, "cwd " + cwd + ": Not a directory");
  }
  std::error_code dir_error;
  if (!state_dir_) state_dir_ = sys::TempDir::create("oxydra-local", dir_error);
  if (!state_dir_ || !cancel_read_) {
    return fail(ErrorCode::spawn_failed,
                errno_error("local shell state", dir_error ? dir_error.value() : errno).message);
  }
  env_ = base_environment();
  for (const auto& [name, value] : options.env)
    env_[name] = value;
  cwd_ = std::move(cwd);
  id_ = next_session_id();
  pending_.clear();
  spawned_ = true;
  return {};
}

void LocalProcessShellSession::load_state(const std::string& state_file) {
  auto state = read_shell_state(state_file);
  std::lock_guard lock(mu_);
  if (state.cwd) cwd_ = std::move(*state.cwd);
  if (state.env) env_ = std::move(*state.env);
}

Result<ExecResult> LocalProcessShellSession::exec(const ExecOptions& options) {
  if (options.stop.stop_requested()) {
    return fail(ErrorCode::cancelled, "exec: cancelled before it started");
  }
  LocalCommand command;
  std::string state_file;
  {
    std::lock_guard lock(mu_);
    if (auto ready = check_ready(); !ready) return tl::unexpected(ready.error());
    if (running_) {
      return fail(ErrorCode::busy, "local shell " + id_ + ": a command is already running");
    }
    if (options.command.find_first_not_of(" \t\r\n") == std::string::npos) {
      return fail(ErrorCode::empty_command, "local shell " + id_ + ": empty command");
    }
    // A byte left by a cancel that raced with the previous command's end.
    char sink[64];
    while (::read(cancel_read_.get(), sink, sizeof sink) > 0) {
    }
    state_file = (state_dir_.path() / "state").string();
    command.argv = {options_.shell, "-c", wrap_command(options.command, state_file)};
    for (const auto& [name, value] : env_)
      command.env.push_back(name + "=" + value);
    command.cwd = cwd_;
    running_ = true;
  }
  command.stdin_data = options.stdin_data;
  if (options.timeout) command.timeout = std::max(*options.timeout, std::chrono::seconds(1));
  command.cancel_fd = cancel_read_.get();

  const std::uint64_t budget = options.max_output_bytes.value_or(options_.default_max_output_bytes);
  OutputCapture out(budget / 2), err(budget - budget / 2);
  StreamForwarder out_forward(OutputStream::stdout_stream, options.on_output);
  StreamForwarder err_forward(OutputStream::stderr_stream, options.on_output);
  auto sink = [&](OutputStream stream, std::string_view bytes) {
    const bool is_out = stream == OutputStream::stdout_stream;
    (is_out ? out : err).append(bytes);
    (is_out ? out_forward : err_forward).feed(bytes);
  };

  Result<LocalOutcome> outcome;
  {
    std::stop_callback on_stop(options.stop, [this] { (void)cancel(); });
    outcome = run_local(command, sink);
  }
  out_forward.feed({}, true);
  err_forward.feed({}, true);
  if (outcome) load_state(state_file);

  std::lock_guard lock(mu_);
  running_ = false;
  idle_.notify_all();
  if (!outcome) return tl::unexpected(outcome.error());
  ExecResult result;
  if (WIFEXITED(outcome->wait_status)) result.exit_code = WEXITSTATUS(outcome->wait_status);
  if (WIFSIGNALED(outcome->wait_status)) result.signal = WTERMSIG(outcome->wait_status);
  result.timed_out = outcome->timed_out;
  result.cancelled = outcome->cancelled;
  result.duration = outcome->duration;
  result.stdout_bytes = out.total();
  result.stderr_bytes = err.total();
  result.truncated_bytes = out.dropped() + err.dropped();
  result.cwd = cwd_;
  pending_.clear();
  if (options.collect_output) {
    result.stdout_text = out.text();
    result.stderr_text = err.text();
  } else {
    pending_.push_back(OutputChunk{OutputStream::stdout_stream, out.text(), 0, false});
    pending_.push_back(OutputChunk{OutputStream::stderr_stream, err.text(), 0, false});
  }
  return result;
}

Result<OutputChunk> LocalProcessShellSession::read_output(std::optional<std::uint64_t> max_bytes) {
  std::lock_guard lock(mu_);
  if (auto ready = check_ready(); !ready) return tl::unexpected(ready.error());
  while (!pending_.empty() && pending_.front().data.empty())
    pending_.pop_front();
  if (pending_.empty()) return OutputChunk{OutputStream::stdout_stream, "", 0, true};
  OutputChunk& front = pending_.front();
  OutputChunk chunk{front.stream, {}, front.offset, false};
  if (max_bytes && *max_bytes > 0 && front.data.size() > *max_bytes) {
    // Split where a character ends; a single character larger than the limit goes whole.
    const std::size_t n = sys::boundary_at_most(front.data, *max_bytes);
    chunk.data = front.data.substr(0, n);
    front.data.erase(0, n);
    front.offset += n;
  } else {
    chunk.data = std::move(front.data);
    pending_.pop_front();
  }
  while (!pending_.empty() && pending_.front().data.empty())
    pending_.pop_front();
  chunk.eof = pending_.empty();
  return chunk;
}

Result<bool> LocalProcessShellSession::cancel() {
  std::lock_guard lock(mu_);
  if (!running_) return false;
  const char byte = 1;
  return ::write(cancel_write_.get(), &byte, 1) == 1 || errno == EAGAIN;
}

Result<void> LocalProcessShellSession::kill() {
  std::unique_lock lock(mu_);
  if (auto ready = check_ready(); !ready) return tl::unexpected(ready.error());
  if (running_) {
    const char byte = 1;
    (void)::write(cancel_write_.get(), &byte, 1);
    idle_.wait(lock, [&] { return !running_; });
  }
  spawned_ = false;
  pending_.clear();
  return {};
}

std::optional<std::string> LocalProcessShellSession::id() const {
  std::lock_guard lock(mu_);
  if (!spawned_) return std::nullopt;
  return id_;
}

}  // namespace oxydra::sandbox
