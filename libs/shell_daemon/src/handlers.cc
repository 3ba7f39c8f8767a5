#include "handlers.h"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>

#include "oxydra/types/shell_messages.h"

namespace oxydra::shell_daemon {

namespace {

using nlohmann::json;
namespace rpc = shell_rpc;

Error unknown_session(const std::string& id) {
  return Error{ErrorCode::unknown_session, "unknown session " + id};
}

void on_hello(Connection& c, const json& payload) {
  auto request = rpc::parse_hello_request(payload);
  if (!request) return reply_error(c, payload, request.error());
  c.mark_hello();
  const bool base64 = std::find(request->output_encodings.begin(), request->output_encodings.end(),
                                rpc::kEncodingBase64) != request->output_encodings.end();
  if (base64) c.use_base64_output();
  const DaemonConfig& config = c.context().config;
  rpc::HelloReply reply;
  reply.request_id = request->request_id;
  reply.server = config.server_name;
  reply.capabilities = {"exec_stream",  "stream_output", "stdin",  "timeout",         "cancel",
                        "kill_session", "list_sessions", "signal", "max_output_bytes"};
  reply.limits = rpc::Limits{config.max_frame_bytes, config.max_sessions, config.max_output_bytes};
  if (base64) reply.output_encoding = std::string(rpc::kEncodingBase64);
  json reply_payload = rpc::to_json(reply);
  // Extension: changes when the daemon restarts (its sessions are then gone).
  reply_payload["instance"] = c.context().instance;
  c.send(rpc::kOpHello, reply_payload);
}

void on_spawn_session(Connection& c, const json& payload) {
  auto request = rpc::parse_spawn_session_request(payload);
  if (!request) return reply_error(c, payload, request.error());
  auto session = c.context().sessions.create(*request);
  if (!session) return reply_error(c, payload, session.error());
  spdlog::info("{}: {} spawned (cwd {})", c.peer(), (*session)->id(), (*session)->cwd());
  c.send(rpc::kOpSpawnSession,
         rpc::to_json(rpc::SpawnSessionReply{request->request_id, (*session)->id()}));
}

void on_list_sessions(Connection& c, const json& payload) {
  auto request = rpc::parse_list_sessions_request(payload);
  if (!request) return reply_error(c, payload, request.error());
  c.send(rpc::kOpListSessions,
         rpc::to_json(rpc::ListSessionsReply{request->request_id, c.context().sessions.list()}));
}

void on_cancel(Connection& c, const json& payload) {
  auto request = rpc::parse_cancel_request(payload);
  if (!request) return reply_error(c, payload, request.error());
  bool cancelled = false;
  if (auto command = c.tracked(request->target_request_id)) {
    cancelled = !command->exited();
    command->stop(StopReason::cancel);
  }
  c.send(rpc::kOpCancel, rpc::to_json(rpc::CancelReply{request->request_id, cancelled}));
}

void answer_stream_output(Connection& c, Session& session,
                          const rpc::StreamOutputRequest& request) {
  const std::size_t limit =
      c.context().chunk_bytes(request.request_id.size() + request.session_id.size());
  const std::size_t max_bytes =
      static_cast<std::size_t>(std::min<std::uint64_t>(request.max_bytes.value_or(limit), limit));
  auto chunk = session.pending().next(max_bytes);
  rpc::StreamOutputReply reply{request.request_id, request.session_id, std::string(chunk.stream),
                               std::move(chunk.data), chunk.eof};
  c.send(rpc::kOpStreamOutput, rpc::to_json(reply));
}

asio::awaitable<void> stream_output_when_idle(std::shared_ptr<Connection> c,
                                              std::shared_ptr<Session> session,
                                              rpc::StreamOutputRequest request) {
  co_await session->wait_idle();
  if (c->context().sessions.find(request.session_id) != session) {
    reply_error(*c, rpc::to_json(request), unknown_session(request.session_id));
    co_return;
  }
  answer_stream_output(*c, *session, request);
}

// A command still running is the one whose output will be pending: the
// answer waits for it (pipelined exec_command + stream_output works).
void on_stream_output(const std::shared_ptr<Connection>& c, const json& payload) {
  auto request = rpc::parse_stream_output_request(payload);
  if (!request) return reply_error(*c, payload, request.error());
  auto session = c->context().sessions.find(request->session_id);
  if (!session) return reply_error(*c, payload, unknown_session(request->session_id));
  if (!session->running()) return answer_stream_output(*c, *session, *request);
  spawn_request(c, stream_output_when_idle(c, session, std::move(*request)));
}

asio::awaitable<void> kill_when_idle(std::shared_ptr<Connection> c,
                                     std::shared_ptr<Session> session, std::string request_id) {
  co_await session->wait_idle();
  c->send(rpc::kOpKillSession, rpc::to_json(rpc::KillSessionReply{request_id, true}));
}

// Like Oxydra's original, an unknown session is `killed: false`, not an error.
// The reply waits until the session's command group is gone.
void on_kill_session(const std::shared_ptr<Connection>& c, const json& payload) {
  auto request = rpc::parse_kill_session_request(payload);
  if (!request) return reply_error(*c, payload, request.error());
  auto session = c->context().sessions.remove(request->session_id);
  if (!session || !session->running()) {
    if (session) spdlog::info("{}: {} killed", c->peer(), session->id());
    c->send(rpc::kOpKillSession,
            rpc::to_json(rpc::KillSessionReply{request->request_id, session != nullptr}));
    return;
  }
  spdlog::info("{}: {} killed while running a command", c->peer(), session->id());
  session->stop(StopReason::kill);
  spawn_request(c, kill_when_idle(c, session, request->request_id));
}

}  // namespace

void reply_error(Connection& c, const json& payload, const Error& error) {
  c.send_error(request_id_of(payload), error.code, error.message);
}

void spawn_request(const std::shared_ptr<Connection>& c, asio::awaitable<void> task) {
  c->begin_request();
  asio::co_spawn(c->context().executor, std::move(task), [c](const std::exception_ptr& error) {
    if (error) spdlog::error("{}: request task failed", c->peer());
    c->end_request();
  });
}

void dispatch(const std::shared_ptr<Connection>& c, const Message& message) {
  const std::string& op = message.op;
  const json& payload = message.payload;
  if (op == rpc::kOpExecCommand) return on_exec_command(c, payload);
  if (op == rpc::kOpStreamOutput) return on_stream_output(c, payload);
  if (op == rpc::kOpHello) return on_hello(*c, payload);
  if (op == rpc::kOpSpawnSession) return on_spawn_session(*c, payload);
  if (op == rpc::kOpCancel) return on_cancel(*c, payload);
  if (op == rpc::kOpKillSession) return on_kill_session(c, payload);
  if (op == rpc::kOpListSessions) return on_list_sessions(*c, payload);
  c->send_error(request_id_of(payload), ErrorCode::unknown_op, "unknown op `" + op + "`");
}

}  // namespace oxydra::shell_daemon
