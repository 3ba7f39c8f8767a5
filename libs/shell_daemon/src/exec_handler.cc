// exec_command: validation, spawning, the streaming sink, and the reply.

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "handlers.h"
#include "oxydra/types/shell_messages.h"

namespace oxydra::shell_daemon {

namespace {

using nlohmann::json;
namespace rpc = shell_rpc;

// Streams a command's output to the connection that asked for it. Holds the
// connection weakly: a command outlives a client that went away.
class ConnectionSink : public OutputSink {
 public:
  ConnectionSink(const std::shared_ptr<Connection>& connection, const std::string& request_id)
      : connection_(connection),
        request_id_json_(json(request_id).dump()),
        raw_(connection->base64_output()) {}

  asio::awaitable<void> write_output(StreamKind stream, std::string_view data,
                                     std::uint64_t offset) override {
    auto connection = connection_.lock();
    if (!connection || abandoned_) co_return;
    co_await connection->send_output(request_id_json_, stream, data, offset, abandoned_, raw_);
  }

  void abandon() override {
    abandoned_ = true;
    if (auto connection = connection_.lock()) connection->wake_senders();
  }

  bool raw() const override { return raw_; }

 private:
  std::weak_ptr<Connection> connection_;
  std::string request_id_json_;
  bool raw_;
  bool abandoned_ = false;
};

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

json exec_reply(const std::string& request_id, const CommandResult& r, const std::string& cwd) {
  rpc::ExecCommandReply reply;
  reply.request_id = request_id;
  reply.accepted = true;
  reply.exit_code = r.status.exit_code;
  reply.signal = r.status.signal;
  reply.timed_out = r.stop_reason == StopReason::timeout;
  reply.duration_ms = static_cast<std::uint64_t>(r.duration.count());
  reply.stdout_bytes = r.stdout_bytes;
  reply.stderr_bytes = r.stderr_bytes;
  reply.truncated_bytes = r.output.truncated_bytes;
  reply.cwd = cwd;
  json payload = rpc::to_json(reply);
  // Extension: whether a cancel, kill_session or daemon shutdown stopped it.
  payload["cancelled"] = r.stop_reason == StopReason::cancel || r.stop_reason == StopReason::kill ||
                         r.stop_reason == StopReason::shutdown;
  return payload;
}

asio::awaitable<void> finish_exec(std::shared_ptr<Connection> c, std::shared_ptr<Session> session,
                                  std::shared_ptr<Command> command, std::string request_id,
                                  std::chrono::seconds timeout) {
  const pid_t pid = command->pid();
  CommandResult result = co_await session->finish(std::move(command));
  c->untrack(request_id);
  spdlog::debug("{}: {} ({}) pid {} ended: exit {} signal {} in {} ms", c->peer(), session->id(),
                request_id, pid, result.status.exit_code.value_or(-1),
                result.status.signal.value_or(0), result.duration.count());
  if (result.stop_reason == StopReason::timeout && !c->said_hello()) {
    // The original's client reads only `accepted` from a reply: a timed-out
    // command must reach it as an error, in the original's words.
    c->send_error(request_id, ErrorCode::timeout,
                  "command execution timed out after " + std::to_string(timeout.count()) + "s");
    co_return;
  }
  c->send(rpc::kOpExecCommand, exec_reply(request_id, result, session->cwd()));
}

}  // namespace

void on_exec_command(const std::shared_ptr<Connection>& c, const json& payload) {
  auto request = rpc::parse_exec_command_request(payload);
  if (!request) return reply_error(*c, payload, request.error());
  ServerContext& context = c->context();
  auto session = context.sessions.find(request->session_id);
  if (!session) {
    return reply_error(*c, payload,
                       Error{ErrorCode::unknown_session, "unknown session " + request->session_id});
  }
  if (is_blank(request->command)) {
    return reply_error(*c, payload, Error{ErrorCode::empty_command, "command must not be empty"});
  }
  if (context.shutting_down) {
    return reply_error(*c, payload, Error{ErrorCode::spawn_failed, "the daemon is shutting down"});
  }
  if (c->tracked(request->request_id)) {
    return reply_error(*c, payload,
                       Error{ErrorCode::invalid_request,
                             "request_id " + request->request_id + " is already in flight"});
  }
  const DaemonConfig& config = context.config;
  ExecParams params;
  params.command = request->command;
  params.stdin_data = request->stdin_data;
  // Zero means no timeout; anything beyond a century is the same thing.
  params.timeout = std::chrono::seconds(
      std::min<std::uint64_t>(request->timeout_secs.value_or(0), 100ull * 365 * 24 * 3600));
  params.kill_grace = config.kill_grace;
  params.max_output_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(
      request->max_output_bytes.value_or(config.max_output_bytes), config.max_output_bytes));
  params.chunk_bytes = context.chunk_bytes(request->request_id.size());
  std::shared_ptr<OutputSink> sink;
  if (request->stream) sink = std::make_shared<ConnectionSink>(c, request->request_id);

  auto command = session->start(params, std::move(sink));
  if (!command) return reply_error(*c, payload, command.error());
  spdlog::debug("{}: {} ({}) started pid {}", c->peer(), session->id(), request->request_id,
                (*command)->pid());
  c->track(request->request_id, *command);
  spawn_request(c, finish_exec(c, session, std::move(*command), request->request_id,
                               std::chrono::duration_cast<std::chrono::seconds>(params.timeout)));
}

}  // namespace oxydra::shell_daemon
