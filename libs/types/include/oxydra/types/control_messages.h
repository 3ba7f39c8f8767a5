#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"
#include "oxydra/types/sandbox_tier.h"
#include "oxydra/types/startup_status.h"

// Runner control messages (protocol.md §5): operator CLI <-> runner daemon.
// Same conventions as shell_messages.h.
namespace oxydra::control_rpc {

inline constexpr std::string_view kOpHealthCheck = "health_check";
inline constexpr std::string_view kOpHealthStatus = "health_status";
inline constexpr std::string_view kOpShutdownUser = "shutdown_user";
inline constexpr std::string_view kOpShutdownStatus = "shutdown_status";
inline constexpr std::string_view kOpLogs = "logs";
inline constexpr std::string_view kOpAgentStats = "agent_stats";

inline constexpr std::string_view kRoleRuntime = "runtime";  // oxydra-vm
inline constexpr std::string_view kRoleSidecar = "sidecar";  // shell-vm
inline constexpr std::string_view kRoleAll = "all";
inline constexpr std::string_view kStreamStdout = "stdout";
inline constexpr std::string_view kStreamStderr = "stderr";
inline constexpr std::string_view kStreamBoth = "both";

inline constexpr std::uint64_t kDefaultLogTail = 100;

struct HealthCheckRequest {
  std::string request_id;
  bool operator==(const HealthCheckRequest&) const = default;
};

struct HealthStatus {
  std::string request_id;
  std::string user_id;
  bool healthy = false;
  SandboxTier sandbox_tier = SandboxTier::process;
  StartupStatusReport startup_status;
  bool shell_available = false;
  bool browser_available = false;
  std::optional<std::int64_t> runtime_pid;  // null when not a host process (or not running)
  std::optional<std::int64_t> sidecar_pid;
  std::map<std::string, std::string> guest_ids;  // role -> container id / VM name
  std::uint64_t uptime_secs = 0;
  std::string log_dir;
  std::string message;  // one line, e.g. "runtime exited (status 1), restarting (2/5)"
  bool operator==(const HealthStatus&) const = default;
};

struct ShutdownUserRequest {
  std::string request_id;
  std::string user_id;
  bool operator==(const ShutdownUserRequest&) const = default;
};

struct ShutdownStatus {
  std::string request_id;
  std::string user_id;
  bool already_stopped = false;
  bool operator==(const ShutdownStatus&) const = default;
};

struct LogsRequest {
  std::string request_id;
  std::string role{kRoleAll};            // runtime | sidecar | all
  std::string stream{kStreamBoth};       // stdout | stderr | both
  std::uint64_t tail = kDefaultLogTail;  // last N lines after `since`; 0: no line limit
  std::optional<std::string> since;      // RFC 3339 timestamp, inclusive
  bool operator==(const LogsRequest&) const = default;
};

struct LogEntry {
  std::string ts;      // RFC 3339 UTC with fractional seconds
  std::string role;    // runtime | sidecar
  std::string stream;  // stdout | stderr
  std::string line;    // without the trailing newline
  bool operator==(const LogEntry&) const = default;
};

struct LogsReply {
  std::string request_id;
  std::vector<LogEntry> entries;  // oldest first
  bool operator==(const LogsReply&) const = default;
};

nlohmann::json to_json(const HealthCheckRequest& m);
nlohmann::json to_json(const HealthStatus& m);
nlohmann::json to_json(const ShutdownUserRequest& m);
nlohmann::json to_json(const ShutdownStatus& m);
nlohmann::json to_json(const LogsRequest& m);
nlohmann::json to_json(const LogsReply& m);

Result<HealthCheckRequest> parse_health_check_request(const nlohmann::json& payload);
Result<HealthStatus> parse_health_status(const nlohmann::json& payload);
Result<ShutdownUserRequest> parse_shutdown_user_request(const nlohmann::json& payload);
Result<ShutdownStatus> parse_shutdown_status(const nlohmann::json& payload);
Result<LogsRequest> parse_logs_request(const nlohmann::json& payload);
Result<LogsReply> parse_logs_reply(const nlohmann::json& payload);

}  // namespace oxydra::control_rpc
