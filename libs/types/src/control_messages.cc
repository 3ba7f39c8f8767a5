#include "oxydra/types/control_messages.h"

#include "message_fields.h"

namespace oxydra::control_rpc {

using detail::finish;
using detail::or_null;
using detail::payload_reader;
using detail::required_boolean;
using nlohmann::json;

json to_json(const HealthCheckRequest& m) {
  return json{{"request_id", m.request_id}};
}

json to_json(const HealthStatus& m) {
  return json{{"request_id", m.request_id},
              {"user_id", m.user_id},
              {"healthy", m.healthy},
              {"sandbox_tier", to_string(m.sandbox_tier)},
              {"startup_status", oxydra::to_json(m.startup_status)},
              {"shell_available", m.shell_available},
              {"browser_available", m.browser_available},
              {"runtime_pid", or_null(m.runtime_pid)},
              {"sidecar_pid", or_null(m.sidecar_pid)},
              {"guest_ids", m.guest_ids},
              {"uptime_secs", m.uptime_secs},
              {"log_dir", m.log_dir},
              {"message", m.message}};
}

json to_json(const ShutdownUserRequest& m) {
  return json{{"request_id", m.request_id}, {"user_id", m.user_id}};
}

json to_json(const ShutdownStatus& m) {
  return json{
      {"request_id", m.request_id}, {"user_id", m.user_id}, {"already_stopped", m.already_stopped}};
}

json to_json(const LogsRequest& m) {
  json out{{"request_id", m.request_id}, {"role", m.role}, {"stream", m.stream}, {"tail", m.tail}};
  detail::put_optional(out, "since", m.since);
  return out;
}

json to_json(const LogsReply& m) {
  return json{
      {"request_id", m.request_id},
      {"entries", detail::list_to_json(m.entries, [](const LogEntry& e) {
         return json{{"ts", e.ts}, {"role", e.role}, {"stream", e.stream}, {"line", e.line}};
       })}};
}

Result<HealthCheckRequest> parse_health_check_request(const json& payload) {
  auto r = payload_reader(payload);
  HealthCheckRequest m;
  m.request_id = r.nonblank("request_id");
  return finish(r, std::move(m));
}

Result<HealthStatus> parse_health_status(const json& payload) {
  auto r = payload_reader(payload);
  HealthStatus m;
  m.request_id = r.nonblank("request_id");
  m.user_id = r.nonblank("user_id");
  m.healthy = required_boolean(r, "healthy");
  std::string tier = r.string("sandbox_tier");
  const json* startup_status = r.object("startup_status", true);
  m.shell_available = r.boolean("shell_available", false);
  m.browser_available = r.boolean("browser_available", false);
  m.runtime_pid = r.optional_integer("runtime_pid");
  m.sidecar_pid = r.optional_integer("sidecar_pid");
  m.guest_ids = r.string_map("guest_ids");
  m.uptime_secs = r.optional_unsigned("uptime_secs").value_or(0);
  m.log_dir = r.string("log_dir");
  m.message = r.optional_string("message").value_or("");
  if (!r.ok()) return r.error();
  auto parsed_tier = parse_sandbox_tier(tier);
  if (!parsed_tier) {
    r.problem("sandbox_tier", "must be one of: micro_vm, container, process");
    return r.error();
  }
  m.sandbox_tier = *parsed_tier;
  auto status = parse_startup_status(*startup_status, r.child_path("startup_status"));
  if (!status) return tl::unexpected(status.error());
  m.startup_status = std::move(*status);
  return m;
}

Result<ShutdownUserRequest> parse_shutdown_user_request(const json& payload) {
  auto r = payload_reader(payload);
  ShutdownUserRequest m;
  m.request_id = r.nonblank("request_id");
  m.user_id = r.nonblank("user_id");
  return finish(r, std::move(m));
}

Result<ShutdownStatus> parse_shutdown_status(const json& payload) {
  auto r = payload_reader(payload);
  ShutdownStatus m;
  m.request_id = r.nonblank("request_id");
  m.user_id = r.nonblank("user_id");
  m.already_stopped = required_boolean(r, "already_stopped");
  return finish(r, std::move(m));
}

Result<LogsRequest> parse_logs_request(const json& payload) {
  auto r = payload_reader(payload);
  LogsRequest m;
  m.request_id = r.nonblank("request_id");
  m.role = detail::one_of(r, "role", {kRoleRuntime, kRoleSidecar, kRoleAll}, kRoleAll);
  m.stream = detail::one_of(r, "stream", {kStreamStdout, kStreamStderr, kStreamBoth}, kStreamBoth);
  m.tail = r.optional_unsigned("tail").value_or(kDefaultLogTail);
  m.since = r.optional_string("since");
  if (m.since && m.since->empty()) r.problem("since", "must not be empty");
  return finish(r, std::move(m));
}

Result<LogsReply> parse_logs_reply(const json& payload) {
  auto r = payload_reader(payload);
  LogsReply m;
  m.request_id = r.nonblank("request_id");
  if (!r.ok()) return r.error();
  auto entries = detail::parse_list<LogEntry>(
      r, payload, "entries", [](const json& item, const std::string& path) {
        JsonReader e(item, path, ErrorCode::invalid_request);
        LogEntry entry;
        entry.ts = e.string("ts");
        entry.role = detail::one_of(e, "role", {kRoleRuntime, kRoleSidecar});
        entry.stream = detail::one_of(e, "stream", {kStreamStdout, kStreamStderr});
        entry.line = e.string("line");
        return finish(e, std::move(entry));
      });
  if (!entries) return tl::unexpected(entries.error());
  m.entries = std::move(*entries);
  return m;
}

}  // namespace oxydra::control_rpc
