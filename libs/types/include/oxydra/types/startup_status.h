#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/enforcement_report.h"
#include "oxydra/types/error.h"
#include "oxydra/types/sandbox_tier.h"

namespace oxydra {

// Degraded reason codes (protocol.md §3), named from ErrorCode. The set is
// open on the wire: parsers keep codes they do not know, so a newer runner can
// report more; that is why DegradedReason::code stays a string.
namespace degraded {
inline constexpr std::string_view kInsecureProcessTier =
    to_string(ErrorCode::insecure_process_tier);
inline constexpr std::string_view kProcessHardeningLimited =
    to_string(ErrorCode::process_hardening_limited);
inline constexpr std::string_view kSidecarUnavailable = to_string(ErrorCode::sidecar_unavailable);
inline constexpr std::string_view kSidecarTransportUnsupported =
    to_string(ErrorCode::sidecar_transport_unsupported);
inline constexpr std::string_view kSidecarEndpointInvalid =
    to_string(ErrorCode::sidecar_endpoint_invalid);
inline constexpr std::string_view kSidecarConnectionFailed =
    to_string(ErrorCode::sidecar_connection_failed);
inline constexpr std::string_view kSidecarProtocolError =
    to_string(ErrorCode::sidecar_protocol_error);
inline constexpr std::string_view kRuntimeShutdown = to_string(ErrorCode::runtime_shutdown);
// A container guest lacks a protection its configuration asked for.
inline constexpr std::string_view kContainerIsolationLimited =
    to_string(ErrorCode::container_isolation_limited);
}  // namespace degraded

struct DegradedReason {
  std::string code;    // degraded::k*
  std::string detail;  // one human-readable line
  bool operator==(const DegradedReason&) const = default;
};

// One report per guest: tiers.md asks for what is in force for each guest, and
// the two guests of a pair are isolated differently.
struct GuestEnforcement {
  std::optional<EnforcementReport> runtime;  // oxydra-vm
  std::optional<EnforcementReport> sidecar;  // shell-vm; absent on the process tier
  bool operator==(const GuestEnforcement&) const = default;
};

struct StartupStatusReport {
  SandboxTier sandbox_tier = SandboxTier::process;
  bool sidecar_available = false;
  bool shell_available = false;
  bool browser_available = false;
  std::vector<DegradedReason> degraded_reasons;
  GuestEnforcement enforcement;
  bool operator==(const StartupStatusReport&) const = default;
};

bool has_degraded_reason(const StartupStatusReport& status, std::string_view code);

nlohmann::json to_json(const DegradedReason& reason);
nlohmann::json to_json(const StartupStatusReport& status);

// `path` prefixes error messages; the bootstrap envelope passes its own error code.
Result<StartupStatusReport> parse_startup_status(const nlohmann::json& object,
                                                 const std::string& path = "startup_status",
                                                 ErrorCode error_code = ErrorCode::invalid_request);

}  // namespace oxydra
