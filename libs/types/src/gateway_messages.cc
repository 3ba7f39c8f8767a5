// Gateway: connection, session and health messages. A turn's messages are in
// gateway_turn_messages.cc.

#include "oxydra/types/gateway_messages.h"

#include "message_fields.h"

namespace oxydra::gateway_rpc {

using detail::finish;
using detail::payload_reader;
using detail::required_boolean;
using nlohmann::json;

namespace {

json tool_to_json(const ToolStatus& tool) {
  json out{{"name", tool.name}, {"enabled", tool.enabled}};
  detail::put_optional(out, "reason", tool.reason);
  return out;
}

Result<ToolStatus> parse_tool(const json& object, const std::string& path) {
  JsonReader r(object, path, ErrorCode::invalid_request);
  ToolStatus tool;
  tool.name = r.nonblank("name");
  tool.enabled = required_boolean(r, "enabled");
  tool.reason = r.optional_string("reason");
  return finish(r, std::move(tool));
}

Result<SessionSummary> parse_session(const json& object, const std::string& path) {
  JsonReader r(object, path, ErrorCode::invalid_request);
  SessionSummary session;
  session.session_id = r.nonblank("session_id");
  session.created_at = r.optional_string("created_at").value_or("");
  session.updated_at = r.optional_string("updated_at").value_or("");
  session.message_count = r.optional_unsigned("message_count").value_or(0);
  return finish(r, std::move(session));
}

Result<StartupStatusReport> required_status(JsonReader& r) {
  const json* status = r.object("startup_status", true);
  if (!r.ok()) return r.error();
  return parse_startup_status(*status, r.child_path("startup_status"));
}

// {"name": count}: names are what the sender chose (stop reasons, error
// codes); a count must be a non-negative integer.
std::map<std::string, std::uint64_t> count_map(JsonReader& r, std::string_view key) {
  std::map<std::string, std::uint64_t> out;
  const json* object = r.object(key, false);
  if (!object) return out;
  constexpr std::size_t kMaxNames = 256;
  if (object->size() > kMaxNames) {
    r.problem(key, "has more than 256 names");
    return out;
  }
  for (const auto& [name, count] : object->items()) {
    if (!count.is_number_unsigned()) {
      r.problem(key, "counts must be non-negative integers");
      return {};
    }
    out[name] = count.get<std::uint64_t>();
  }
  return out;
}

Result<AgentCounters> parse_agent_counters(const json& object) {
  JsonReader r(object, "payload.counters", ErrorCode::invalid_response);
  AgentCounters m;
  m.turns = count_map(r, "turns");
  m.provider_errors = count_map(r, "provider_errors");
  m.input_tokens = r.optional_unsigned("input_tokens").value_or(0);
  m.output_tokens = r.optional_unsigned("output_tokens").value_or(0);
  m.cost = r.optional_number("cost").value_or(0);
  m.shell_commands = r.optional_unsigned("shell_commands").value_or(0);
  m.shell_command_failures = r.optional_unsigned("shell_command_failures").value_or(0);
  m.shell_command_timeouts = r.optional_unsigned("shell_command_timeouts").value_or(0);
  return finish(r, std::move(m));
}

// Requests whose payload is only a request id.
template <typename T>
Result<T> parse_id_only(const json& payload) {
  auto r = payload_reader(payload);
  T m;
  m.request_id = r.nonblank("request_id");
  return finish(r, std::move(m));
}

}  // namespace

json to_json(const HelloRequest& m) {
  json out{{"request_id", m.request_id}};
  detail::put_optional(out, "session_id", m.session_id);
  return out;
}

json to_json(const HelloReply& m) {
  return json{{"request_id", m.request_id},
              {"session_id", m.session_id},
              {"startup_status", oxydra::to_json(m.startup_status)},
              {"tools", detail::list_to_json(m.tools, tool_to_json)}};
}

json to_json(const CancelRequest& m) {
  return json{{"request_id", m.request_id}, {"target_request_id", m.target_request_id}};
}

json to_json(const CancelReply& m) {
  return json{{"request_id", m.request_id}, {"cancelled", m.cancelled}};
}

json to_json(const NewSessionRequest& m) {
  return json{{"request_id", m.request_id}};
}

json to_json(const NewSessionReply& m) {
  return json{{"request_id", m.request_id}, {"session_id", m.session_id}};
}

json to_json(const ListSessionsRequest& m) {
  return json{{"request_id", m.request_id}};
}

json to_json(const ListSessionsReply& m) {
  return json{{"request_id", m.request_id},
              {"sessions", detail::list_to_json(m.sessions, [](const SessionSummary& s) {
                 return json{{"session_id", s.session_id},
                             {"created_at", s.created_at},
                             {"updated_at", s.updated_at},
                             {"message_count", s.message_count}};
               })}};
}

json to_json(const HealthRequest& m) {
  return json{{"request_id", m.request_id}};
}

json to_json(const AgentCounters& m) {
  return json{{"turns", m.turns},
              {"provider_errors", m.provider_errors},
              {"input_tokens", m.input_tokens},
              {"output_tokens", m.output_tokens},
              {"cost", m.cost},
              {"shell_commands", m.shell_commands},
              {"shell_command_failures", m.shell_command_failures},
              {"shell_command_timeouts", m.shell_command_timeouts}};
}

json to_json(const HealthReply& m) {
  json out{{"request_id", m.request_id},
           {"startup_status", oxydra::to_json(m.startup_status)},
           {"provider", m.provider},
           {"model", m.model},
           {"uptime_secs", m.uptime_secs}};
  if (m.counters) out["counters"] = to_json(*m.counters);
  return out;
}

Result<HelloRequest> parse_hello_request(const json& payload) {
  auto r = payload_reader(payload);
  HelloRequest m;
  m.request_id = r.nonblank("request_id");
  m.session_id = r.optional_string("session_id");
  if (m.session_id && m.session_id->find_first_not_of(" \t\r\n") == std::string::npos) {
    r.problem("session_id", "must not be blank");
  }
  return finish(r, std::move(m));
}

Result<HelloReply> parse_hello_reply(const json& payload) {
  auto r = payload_reader(payload);
  HelloReply m;
  m.request_id = r.nonblank("request_id");
  m.session_id = r.nonblank("session_id");
  auto status = required_status(r);
  if (!status) return tl::unexpected(status.error());
  m.startup_status = std::move(*status);
  auto tools = detail::parse_list<ToolStatus>(r, payload, "tools", parse_tool);
  if (!tools) return tl::unexpected(tools.error());
  m.tools = std::move(*tools);
  return m;
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

Result<NewSessionRequest> parse_new_session_request(const json& payload) {
  return parse_id_only<NewSessionRequest>(payload);
}

Result<NewSessionReply> parse_new_session_reply(const json& payload) {
  auto r = payload_reader(payload);
  NewSessionReply m;
  m.request_id = r.nonblank("request_id");
  m.session_id = r.nonblank("session_id");
  return finish(r, std::move(m));
}

Result<ListSessionsRequest> parse_list_sessions_request(const json& payload) {
  return parse_id_only<ListSessionsRequest>(payload);
}

Result<ListSessionsReply> parse_list_sessions_reply(const json& payload) {
  auto r = payload_reader(payload);
  ListSessionsReply m;
  m.request_id = r.nonblank("request_id");
  if (!r.ok()) return r.error();
  auto sessions = detail::parse_list<SessionSummary>(r, payload, "sessions", parse_session);
  if (!sessions) return tl::unexpected(sessions.error());
  m.sessions = std::move(*sessions);
  return m;
}

Result<HealthRequest> parse_health_request(const json& payload) {
  return parse_id_only<HealthRequest>(payload);
}

Result<HealthReply> parse_health_reply(const json& payload) {
  auto r = payload_reader(payload);
  HealthReply m;
  m.request_id = r.nonblank("request_id");
  m.provider = r.string("provider");
  m.model = r.string("model");
  m.uptime_secs = r.optional_unsigned("uptime_secs").value_or(0);
  if (const json* counters = r.object("counters", false)) {
    auto parsed = parse_agent_counters(*counters);
    if (!parsed) return tl::unexpected(parsed.error());
    m.counters = std::move(*parsed);
  }
  auto status = required_status(r);
  if (!status) return tl::unexpected(status.error());
  m.startup_status = std::move(*status);
  return m;
}

}  // namespace oxydra::gateway_rpc
