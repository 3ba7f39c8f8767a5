#include "oxydra/sandbox/daemon_shell_session.h"

#include <algorithm>
#include <stop_token>

#include "json_fields.h"
#include "output_capture.h"
#include "oxydra/sys/utf8.h"
#include "rpc_link.h"

namespace oxydra::sandbox {

namespace {

namespace rpc = shell_rpc;

constexpr int kMaxDrainReplies = 1 << 16;

OutputStream stream_of(const std::string& name) {
  return name == rpc::kStderr ? OutputStream::stderr_stream : OutputStream::stdout_stream;
}

tl::unexpected<Error> bad_reply(std::string_view op, const Error& error) {
  return fail(ErrorCode::sidecar_protocol_error,
              "malformed " + std::string(op) + " reply: " + error.message);
}

ExecResult to_result(const rpc::ExecCommandReply& reply) {
  ExecResult result;
  result.exit_code = reply.exit_code;
  result.signal = reply.signal;
  result.timed_out = reply.timed_out;
  result.duration = std::chrono::milliseconds(reply.duration_ms);
  result.stdout_bytes = reply.stdout_bytes;
  result.stderr_bytes = reply.stderr_bytes;
  result.truncated_bytes = reply.truncated_bytes;
  result.cwd = reply.cwd;
  return result;
}

}  // namespace

DaemonShellSession::DaemonShellSession(std::shared_ptr<DaemonClient> client)
    : client_(std::move(client)) {}

DaemonShellSession::~DaemonShellSession() {
  if (session_id_) release(Target{*session_id_, epoch_});
}

// Kills a session this object no longer uses, only in the daemon instance that
// owns it (a restarted daemon may have given its id to someone else).
void DaemonShellSession::release(const Target& target) {
  client_->forget_session(target.session_id);
  (void)client_->post(rpc::kOpKillSession,
                      rpc::to_json(rpc::KillSessionRequest{"", target.session_id}),
                      PostOptions{.may_reconnect = false, .epoch = target.epoch});
}

Availability DaemonShellSession::status() const {
  return client_->status();
}

Result<DaemonShellSession::Target> DaemonShellSession::target() const {
  std::lock_guard lock(mu_);
  if (!session_id_) {
    return fail(ErrorCode::unknown_session,
                "shell session on " + client_->endpoint().describe() + " is not spawned");
  }
  return Target{*session_id_, epoch_};
}

CallOptions DaemonShellSession::pinned(const Target& target) const {
  CallOptions call;
  call.timeout = client_->options().request_timeout;
  call.epoch = target.epoch;
  return call;
}

Result<void> DaemonShellSession::spawn(const SpawnOptions& options) {
  std::optional<Target> previous;
  {
    std::lock_guard lock(mu_);
    if (running_) return fail(ErrorCode::busy, *session_id_ + ": a command is running");
    if (session_id_) previous = Target{*session_id_, epoch_};
  }
  CallOptions call;
  call.timeout = client_->options().request_timeout;
  std::uint64_t epoch = 0;
  call.answered_by = &epoch;
  auto reply = client_->call(
      rpc::kOpSpawnSession,
      rpc::to_json(rpc::SpawnSessionRequest{"", std::nullopt, options.cwd, options.env}), call);
  if (!reply) return tl::unexpected(reply.error());
  auto spawned = rpc::parse_spawn_session_reply(reply->payload);
  if (!spawned) return bad_reply(rpc::kOpSpawnSession, spawned.error());
  client_->track_session(spawned->session_id);
  {
    std::lock_guard lock(mu_);
    session_id_ = spawned->session_id;
    epoch_ = epoch;
  }
  // A respawn replaces the old session; do not leave it behind in the daemon.
  if (previous) release(*previous);
  return {};
}

void DaemonShellSession::send_cancel(const std::string& request_id) {
  std::uint64_t epoch = 0;
  {
    std::lock_guard lock(mu_);
    epoch = epoch_;
  }
  (void)client_->post(rpc::kOpCancel, rpc::to_json(rpc::CancelRequest{"", request_id}),
                      PostOptions{.may_reconnect = false, .epoch = epoch});
}

void DaemonShellSession::on_exec_sent(const std::string& request_id) {
  {
    std::lock_guard lock(mu_);
    exec_request_id_ = request_id;
    if (!cancel_requested_ || cancel_sent_) return;
    cancel_sent_ = true;
  }
  send_cancel(request_id);
}

Result<ExecResult> DaemonShellSession::exec(const ExecOptions& options) {
  if (options.stop.stop_requested()) {
    return fail(ErrorCode::cancelled, "exec: cancelled before it started");
  }
  Target target;
  CallOptions call;
  {
    std::lock_guard lock(mu_);
    if (!session_id_) {
      return fail(ErrorCode::unknown_session,
                  "shell session on " + client_->endpoint().describe() + " is not spawned");
    }
    if (running_) {
      return fail(ErrorCode::busy, *session_id_ + ": a command is already running");
    }
    target = Target{*session_id_, epoch_};
    running_ = true;
    exec_request_id_.reset();
    cancel_requested_ = cancel_sent_ = false;
    exec_stop_ = std::stop_source();
    call.stop = exec_stop_.get_token();
  }
  struct Idle {
    DaemonShellSession& self;
    ~Idle() {
      std::lock_guard lock(self.mu_);
      self.running_ = false;
      self.exec_request_id_.reset();
    }
  } idle{*this};

  rpc::ExecCommandRequest request;
  request.session_id = target.session_id;
  request.command = options.command;
  // The daemon reads 0 as "no timeout".
  if (options.timeout) {
    request.timeout_secs =
        static_cast<std::uint64_t>(std::max<std::int64_t>(options.timeout->count(), 1));
  }
  request.stdin_data = options.stdin_data;
  request.stream = static_cast<bool>(options.on_output);
  request.max_output_bytes = options.max_output_bytes;

  const auto daemon_limit = client_->hello().limits.max_output_bytes;
  const std::uint64_t budget = options.max_output_bytes.value_or(
      daemon_limit > 0 ? daemon_limit : rpc::kDefaultMaxOutputBytes);
  OutputCapture out(budget / 2), err(budget - budget / 2);
  call.epoch = target.epoch;
  if (options.timeout) call.timeout = *options.timeout + client_->options().request_timeout;
  call.on_sent = [this](const std::string& id) { on_exec_sent(id); };
  // Raw (base64) events carry any bytes; the consumers here take text, so
  // each stream is made UTF-8 as it arrives, a character split between two
  // events completed by the next.
  sys::Utf8Stream out_utf8, err_utf8;
  auto deliver = [&](OutputStream stream, std::string text, std::uint64_t offset) {
    (stream == OutputStream::stdout_stream ? out : err).append(text);
    options.on_output(OutputChunk{stream, std::move(text), offset, false});
  };
  if (options.on_output) {
    call.on_event = [&](const Message& message) {
      if (message.op != rpc::kOpOutput) return;
      auto event = rpc::parse_output_event(message.payload);
      if (!event) return;
      const OutputStream stream = stream_of(event->stream);
      if (!event->encoding) return deliver(stream, std::move(event->data), event->offset);
      auto& utf8 = stream == OutputStream::stdout_stream ? out_utf8 : err_utf8;
      const std::uint64_t offset = utf8.position();
      std::string text(utf8.feed(event->data));
      if (!text.empty()) deliver(stream, std::move(text), offset);
    };
  }

  Result<Message> reply;
  {
    std::stop_callback on_stop(options.stop, [this] { (void)cancel(); });
    reply = client_->call(rpc::kOpExecCommand, rpc::to_json(request), call);
  }
  if (options.on_output) {
    for (auto [stream, utf8] : {std::pair{OutputStream::stdout_stream, &out_utf8},
                                std::pair{OutputStream::stderr_stream, &err_utf8}}) {
      const std::uint64_t offset = utf8->position();
      std::string rest(utf8->finish());
      if (!rest.empty()) deliver(stream, std::move(rest), offset);
    }
  }
  if (!reply) {
    if (reply.error().code == ErrorCode::request_timeout) {
      std::optional<std::string> id;
      {
        std::lock_guard lock(mu_);
        id = exec_request_id_;
      }
      // Stop the command the client gave up on rather than leave it running.
      if (id) send_cancel(*id);
    }
    return tl::unexpected(reply.error());
  }
  auto parsed = rpc::parse_exec_command_reply(reply->payload);
  if (!parsed) return bad_reply(rpc::kOpExecCommand, parsed.error());
  if (!parsed->accepted) {
    return fail(ErrorCode::not_accepted,
                target.session_id + ": the daemon did not accept the command");
  }
  ExecResult result = to_result(*parsed);
  {
    std::lock_guard lock(mu_);
    // `cancelled` in the reply is the daemon's extension; older daemons omit it.
    result.cancelled = cancel_requested_ || bool_field(reply->payload, "cancelled", false);
  }
  if (!options.collect_output) return result;
  auto pulled = drain_output(target, result.stdout_text, result.stderr_text);
  // Killed meanwhile (kill() from another thread): its retained output went with it.
  if (!pulled && pulled.error().code != ErrorCode::unknown_session) {
    return tl::unexpected(pulled.error());
  }
  if ((!pulled || !*pulled) && options.on_output) {
    result.stdout_text = out.text();
    result.stderr_text = err.text();
  }
  return result;
}

Result<bool> DaemonShellSession::drain_output(const Target& target, std::string& out,
                                              std::string& err) {
  bool any = false;
  for (int i = 0; i < kMaxDrainReplies; ++i) {
    auto reply =
        client_->call(rpc::kOpStreamOutput,
                      rpc::to_json(rpc::StreamOutputRequest{"", target.session_id, std::nullopt}),
                      pinned(target));
    if (!reply) return tl::unexpected(reply.error());
    auto chunk = rpc::parse_stream_output_reply(reply->payload);
    if (!chunk) return bad_reply(rpc::kOpStreamOutput, chunk.error());
    if (!chunk->data.empty()) any = true;
    (chunk->stream == rpc::kStderr ? err : out) += chunk->data;
    if (chunk->eof) return any;
  }
  return fail(ErrorCode::sidecar_protocol_error,
              target.session_id + ": stream_output never reached eof");
}

Result<OutputChunk> DaemonShellSession::read_output(std::optional<std::uint64_t> max_bytes) {
  auto to = target();
  if (!to) return tl::unexpected(to.error());
  auto reply = client_->call(rpc::kOpStreamOutput,
                             rpc::to_json(rpc::StreamOutputRequest{"", to->session_id, max_bytes}),
                             pinned(*to));
  if (!reply) return tl::unexpected(reply.error());
  auto chunk = rpc::parse_stream_output_reply(reply->payload);
  if (!chunk) return bad_reply(rpc::kOpStreamOutput, chunk.error());
  return OutputChunk{stream_of(chunk->stream), std::move(chunk->data), 0, chunk->eof};
}

Result<bool> DaemonShellSession::cancel() {
  std::string request_id;
  Target to;
  std::stop_source exec_stop;
  {
    std::lock_guard lock(mu_);
    if (!running_) return false;
    cancel_requested_ = true;
    exec_stop = exec_stop_;
    if (!exec_request_id_ || cancel_sent_) {
      // Not sent yet: on_exec_sent() sends the cancel right after the request.
      // A copy of exec_stop_ above, not a move: the analyzer misreads stop_source.
      exec_stop.request_stop();  // NOLINT(clang-analyzer-cplusplus.Move)
      return true;
    }
    cancel_sent_ = true;
    request_id = *exec_request_id_;
    to = Target{*session_id_, epoch_};
  }
  struct StopAfter {
    std::stop_source& stop;
    ~StopAfter() { stop.request_stop(); }
  } stop_after{exec_stop};
  // Inside an output callback the reply could never be read: do not wait for it.
  if (on_rpc_reader_thread()) {
    send_cancel(request_id);
    return true;
  }
  auto reply =
      client_->call(rpc::kOpCancel, rpc::to_json(rpc::CancelRequest{"", request_id}), pinned(to));
  if (!reply) return tl::unexpected(reply.error());
  auto parsed = rpc::parse_cancel_reply(reply->payload);
  if (!parsed) return bad_reply(rpc::kOpCancel, parsed.error());
  return parsed->cancelled;
}

Result<void> DaemonShellSession::kill() {
  auto to = target();
  if (!to) return tl::unexpected(to.error());
  auto reply = client_->call(
      rpc::kOpKillSession, rpc::to_json(rpc::KillSessionRequest{"", to->session_id}), pinned(*to));
  // Already gone (the daemon restarted): the goal is reached.
  if (!reply && reply.error().code != ErrorCode::unknown_session)
    return tl::unexpected(reply.error());
  client_->forget_session(to->session_id);
  std::lock_guard lock(mu_);
  if (session_id_ == to->session_id && epoch_ == to->epoch) session_id_.reset();
  return {};
}

std::optional<std::string> DaemonShellSession::id() const {
  std::lock_guard lock(mu_);
  return session_id_;
}

}  // namespace oxydra::sandbox
