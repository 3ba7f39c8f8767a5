#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/supervisor.h"
#include "oxydra/types/envelope.h"
#include "oxydra/types/startup_status.h"

namespace oxydra::runner {

enum class RunnerPhase { starting, running, stopping };
std::string_view to_string(RunnerPhase phase);

// What the runner knows at one moment, for a health_status reply.
struct HealthInputs {
  std::string request_id;
  std::string user_id;
  RunnerPhase phase = RunnerPhase::starting;
  StartupStatusReport startup_status;
  const GuestRecord* runtime = nullptr;
  const GuestRecord* sidecar = nullptr;
  bool tier_has_sidecar = false;
  std::uint64_t uptime_secs = 0;
  std::string log_dir;
  std::string gateway_socket;
  std::string control_socket;
  std::optional<ChannelEndpoint> sidecar_endpoint;  // as the host reaches it
  pid_t runner_pid = 0;
  std::string shell_reason;  // why the shell is disabled; empty when available
  std::string browser_reason;
};

// The health_status payload of protocol.md §5, plus fields clients may ignore:
// runner_pid, phase, gateway_socket, control_socket, sidecar_endpoint (for
// exec), tools {shell, browser: {enabled, reason}} and
// guests {role: {state, pid, guest_id, restarts, last_exit, last_event,
// memory_bytes, cpu_seconds}} and usage {memory_bytes, cpu_seconds} of the
// pair (null where unmeasured).
// healthy: running, and every guest of the tier running.
nlohmann::json health_json(const HealthInputs& in);

}  // namespace oxydra::runner
