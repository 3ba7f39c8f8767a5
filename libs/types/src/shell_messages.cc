// Shell daemon RPC: session and connection messages. exec_command, stream_output
// and output events are in shell_exec_messages.cc.

#include "oxydra/types/shell_messages.h"
#include "message_fields.h"

namespace oxydra::shell_rpc {

using detail::finish;
using detail::payload_reader;
using detail::required_boolean;
using detail::required_unsigned;
using nlohmann::json;

json to_json(const HelloRequest& m) {
  json out{
      {"request_id", m.request_id}, {"protocol_version", m.protocol_version}, {"client", m.client}};
  if (!m.output_encodings.empty()) out["output_encodings"] = m.output_encodings;
  return out;
}

json to_json(const HelloReply& m) {
  json out{{"request_id", m.request_id},
           {"protocol_version", m.protocol_version},
           {"server", m.server},
           {"capabilities", m.capabilities},
           {"limits", json{{"max_frame_bytes", m.limits.max_frame_bytes},
                           {"max_sessions", m.limits.max_sessions},
                           {"max_output_bytes", m.limits.max_output_bytes}}}};
  detail::put_optional(out, "output_encoding", m.output_encoding);
  return out;
}

json to_json(const SpawnSessionRequest& m) {
  json out{{"request_id", m.request_id}, {"env", m.env}};
  detail::put_optional(out, "shell", m.shell);
  detail::put_optional(out, "cwd", m.cwd);
  if (m.login) out["login"] = true;
  return out;
}

json to_json(const SpawnSessionReply& m) {
  return json{{"request_id", m.request_id}, {"session_id", m.session_id}};
}

json to_json(const CancelRequest& m) {
  return json{{"request_id", m.request_id}, {"target_request_id", m.target_request_id}};
}

json to_json(const CancelReply& m) {
  return json{{"request_id", m.request_id}, {"cancelled", m.cancelled}};
}

json to_json(const KillSessionRequest& m) {
  return json{{"request_id", m.request_id}, {"session_id", m.session_id}};
}

json to_json(const KillSessionReply& m) {
  return json{{"request_id", m.request_id}, {"killed", m.killed}};
}

json to_json(const ListSessionsRequest& m) {
  return json{{"request_id", m.request_id}};
}

json to_json(const ListSessionsReply& m) {
  return json{{"request_id", m.request_id},
              {"sessions", detail::list_to_json(m.sessions, [](const SessionInfo& s) {
                 return json{{"session_id", s.session_id}, {"cwd", s.cwd}, {"running", s.running}};
               })}};
}

namespace {

int protocol_version(JsonReader& r) {
  auto version = detail::optional_int(r, "protocol_version");
  if (!version && r.ok()) r.problem("protocol_version", "is required");
  if (version && *version < 1) r.problem("protocol_version", "must be at least 1");
  return version.value_or(kProtocolVersion);
}

}  // namespace

Result<HelloRequest> parse_hello_request(const json& payload) {
  auto r = payload_reader(payload);
  HelloRequest m;
  m.request_id = r.nonblank("request_id");
  m.protocol_version = protocol_version(r);
  m.client = r.string("client");
  m.output_encodings = r.string_list("output_encodings");
  return finish(r, std::move(m));
}

Result<HelloReply> parse_hello_reply(const json& payload) {
  auto r = payload_reader(payload);
  HelloReply m;
  m.request_id = r.nonblank("request_id");
  m.protocol_version = protocol_version(r);
  m.server = r.string("server");
  m.capabilities = r.string_list("capabilities");
  m.output_encoding = r.optional_string("output_encoding");
  const json* limits = r.object("limits", true);
  if (!r.ok()) return r.error();
  JsonReader l(*limits, r.child_path("limits"), ErrorCode::invalid_request);
  m.limits.max_frame_bytes = required_unsigned(l, "max_frame_bytes");
  m.limits.max_sessions = required_unsigned(l, "max_sessions");
  m.limits.max_output_bytes = required_unsigned(l, "max_output_bytes");
  return finish(l, std::move(m));
}

Result<SpawnSessionRequest> parse_spawn_session_request(const json& payload) {
  auto r = payload_reader(payload);
  SpawnSessionRequest m;
  m.request_id = r.nonblank("request_id");
  m.shell = r.optional_string("shell");
  m.cwd = r.optional_string("cwd");
  m.env = r.string_map("env");
  m.login = r.boolean("login", false);
  if (m.shell) detail::refuse_nul(r, "shell", *m.shell);
  if (m.cwd) detail::refuse_nul(r, "cwd", *m.cwd);
  for (const auto& [name, value] : m.env) {
    detail::refuse_nul(r, "env", name);
    detail::refuse_nul(r, "env", value);
  }
  return finish(r, std::move(m));
}

Result<SpawnSessionReply> parse_spawn_session_reply(const json& payload) {
  auto r = payload_reader(payload);
  SpawnSessionReply m;
  m.request_id = r.nonblank("request_id");
  m.session_id = r.nonblank("session_id");
  return finish(r, std::move(m));
}

Result<CancelRequest> parse_cancel_request(const json& payload) {
  auto r = payload_reader(payload);
  CancelRequest m;
  m.request_id = r.nonblank("request_id");
  m.target_request_id = r.nonblank("target_request_id");
  return finish(r, std::move(m));
}

Result<CancelReply> parse_cancel_reply(const json& payload) {
  auto r = payload_reader(payload);
  CancelReply m;
  m.request_id = r.nonblank("request_id");
  m.cancelled = required_boolean(r, "cancelled");
  return finish(r, std::move(m));
}

Result<KillSessionRequest> parse_kill_session_request(const json& payload) {
  auto r = payload_reader(payload);
  KillSessionRequest m;
  m.request_id = r.nonblank("request_id");
  m.session_id = r.nonblank("session_id");
  return finish(r, std::move(m));
}

Result<KillSessionReply> parse_kill_session_reply(const json& payload) {
  auto r = payload_reader(payload);
  KillSessionReply m;
  m.request_id = r.nonblank("request_id");
  m.killed = required_boolean(r, "killed");
  return finish(r, std::move(m));
}

Result<ListSessionsRequest> parse_list_sessions_request(const json& payload) {
  auto r = payload_reader(payload);
  ListSessionsRequest m;
  m.request_id = r.nonblank("request_id");
  return finish(r, std::move(m));
}

Result<ListSessionsReply> parse_list_sessions_reply(const json& payload) {
  auto r = payload_reader(payload);
  ListSessionsReply m;
  m.request_id = r.nonblank("request_id");
  if (!r.ok()) return r.error();
  auto sessions = detail::parse_list<SessionInfo>(
      r, payload, "sessions", [](const json& item, const std::string& path) {
        JsonReader s(item, path, ErrorCode::invalid_request);
        SessionInfo info;
        info.session_id = s.nonblank("session_id");
        info.cwd = s.string("cwd");
        info.running = required_boolean(s, "running");
        return finish(s, std::move(info));
      });
  if (!sessions) return tl::unexpected(sessions.error());
  m.sessions = std::move(*sessions);
  return m;
}

}  // namespace oxydra::shell_rpc
