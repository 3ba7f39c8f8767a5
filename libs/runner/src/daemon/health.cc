#include "daemon/health.h"

#include "daemon/guest_usage.h"
#include "oxydra/types/control_messages.h"

namespace oxydra::runner {

namespace {

nlohmann::json guest_json(const GuestRecord& record) {
  nlohmann::json guest{{"state", to_string(record.state)},
                       {"pid", nullptr},
                       {"guest_id", nullptr},
                       {"restarts", record.restarts_total},
                       {"last_exit", nullptr},
                       {"last_event", record.last_event}};
  if (record.handle.pid) guest["pid"] = *record.handle.pid;
  if (record.handle.guest_id) guest["guest_id"] = *record.handle.guest_id;
  if (record.last_exit) guest["last_exit"] = record.last_exit->describe();
  guest["memory_bytes"] = nullptr;
  guest["cpu_seconds"] = nullptr;
  if (record.state == GuestState::running && record.handle.usage_pid) {
    const GuestUsage usage = measure_guest_usage(*record.handle.usage_pid);
    if (usage.memory_bytes) guest["memory_bytes"] = *usage.memory_bytes;
    if (usage.cpu_seconds) guest["cpu_seconds"] = *usage.cpu_seconds;
  }
  return guest;
}

// The pair's total, when every running guest could be measured.
nlohmann::json pair_usage(const nlohmann::json& guests) {
  std::uint64_t memory = 0;
  double cpu = 0;
  bool any = false;
  for (const auto& [role, guest] : guests.items()) {
    if (!guest["memory_bytes"].is_number() || !guest["cpu_seconds"].is_number()) continue;
    memory += guest["memory_bytes"].get<std::uint64_t>();
    cpu += guest["cpu_seconds"].get<double>();
    any = true;
  }
  if (!any) return {{"memory_bytes", nullptr}, {"cpu_seconds", nullptr}};
  return {{"memory_bytes", memory}, {"cpu_seconds", cpu}};
}

bool running(const GuestRecord* record) {
  return record && record->state == GuestState::running;
}

std::string message(const HealthInputs& in, bool healthy) {
  if (in.phase == RunnerPhase::starting) return "starting";
  if (in.phase == RunnerPhase::stopping) return "stopping";
  std::string text;
  for (const GuestRecord* record : {in.runtime, in.sidecar}) {
    if (record && !record->last_event.empty()) {
      text += (text.empty() ? "" : "; ") + record->last_event;
    }
  }
  if (!text.empty()) return text;
  return healthy ? "running" : "not every guest is running";
}

}  // namespace

std::string_view to_string(RunnerPhase phase) {
  switch (phase) {
    case RunnerPhase::starting:
      return "starting";
    case RunnerPhase::running:
      return "running";
    case RunnerPhase::stopping:
      return "stopping";
  }
  return "unknown";
}

nlohmann::json health_json(const HealthInputs& in) {
  control_rpc::HealthStatus status;
  status.request_id = in.request_id;
  status.user_id = in.user_id;
  status.healthy = in.phase == RunnerPhase::running && running(in.runtime) &&
                   (!in.tier_has_sidecar || running(in.sidecar));
  status.sandbox_tier = in.startup_status.sandbox_tier;
  status.startup_status = in.startup_status;
  status.shell_available = in.startup_status.shell_available;
  status.browser_available = in.startup_status.browser_available;
  if (in.runtime && in.runtime->handle.pid) status.runtime_pid = *in.runtime->handle.pid;
  if (in.sidecar && in.sidecar->handle.pid) status.sidecar_pid = *in.sidecar->handle.pid;
  for (const GuestRecord* record : {in.runtime, in.sidecar}) {
    if (record && record->handle.guest_id) {
      status.guest_ids[std::string(to_string(record->handle.role))] = *record->handle.guest_id;
    }
  }
  status.uptime_secs = in.uptime_secs;
  status.log_dir = in.log_dir;
  status.message = message(in, status.healthy);

  nlohmann::json out = control_rpc::to_json(status);
  out["runner_pid"] = in.runner_pid;
  out["phase"] = to_string(in.phase);
  out["gateway_socket"] = in.gateway_socket;
  out["control_socket"] = in.control_socket;
  out["sidecar_endpoint"] = nullptr;
  if (in.sidecar_endpoint) {
    out["sidecar_endpoint"] = {{"transport", to_string(in.sidecar_endpoint->transport)},
                               {"address", in.sidecar_endpoint->address}};
  }
  const auto tool = [](bool enabled, const std::string& reason) {
    return nlohmann::json{{"enabled", enabled},
                          {"reason", enabled ? nlohmann::json(nullptr) : nlohmann::json(reason)}};
  };
  out["tools"] = {{"shell", tool(status.shell_available, in.shell_reason)},
                  {"browser", tool(status.browser_available, in.browser_reason)}};
  out["guests"] = nlohmann::json::object();
  if (in.runtime) out["guests"]["runtime"] = guest_json(*in.runtime);
  if (in.sidecar) out["guests"]["sidecar"] = guest_json(*in.sidecar);
  out["usage"] = pair_usage(out["guests"]);
  return out;
}

}  // namespace oxydra::runner
