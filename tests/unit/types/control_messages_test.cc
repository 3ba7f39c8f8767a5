#include "oxydra/types/control_messages.h"

#include <gtest/gtest.h>

#include "round_trip.h"

namespace oxydra::control_rpc {
namespace {

using nlohmann::json;
using oxydra::testing::expect_parse_error;
using oxydra::testing::expect_round_trip;

HealthStatus process_tier_health() {
  HealthStatus h;
  h.request_id = "r-1";
  h.user_id = "alice";
  h.healthy = true;
  h.sandbox_tier = SandboxTier::process;
  h.startup_status.degraded_reasons = {
      {std::string(degraded::kInsecureProcessTier), "isolation is degraded"}};
  EnforcementReport report;
  report.no_new_privs = true;
  report.seccomp = SeccompState{"filter", "oxydra-runtime-v1"};
  h.startup_status.enforcement.runtime = report;
  h.runtime_pid = 4242;
  h.uptime_secs = 17;
  h.log_dir = "/srv/oxydra/alice/logs";
  h.message = "running";
  return h;
}

TEST(ControlMessages, HealthRoundTrips) {
  expect_round_trip(HealthCheckRequest{"r-1"}, parse_health_check_request, kOpHealthCheck);
  HealthStatus h = process_tier_health();
  expect_round_trip(h, parse_health_status, kOpHealthStatus);
  EXPECT_TRUE(to_json(h)["sidecar_pid"].is_null());

  h.sandbox_tier = SandboxTier::container;
  h.startup_status.sandbox_tier = SandboxTier::container;
  h.startup_status.sidecar_available = h.startup_status.shell_available = true;
  h.shell_available = true;
  h.runtime_pid.reset();
  h.guest_ids = {{"runtime", "oxydra-alice-runtime"}, {"sidecar", "oxydra-alice-sidecar"}};
  h.healthy = false;
  h.message = "sidecar exited (status 137), restarting (1/5)";
  expect_round_trip(h, parse_health_status);
}

TEST(ControlMessages, ShutdownRoundTrips) {
  expect_round_trip(ShutdownUserRequest{"r-2", "alice"}, parse_shutdown_user_request,
                    kOpShutdownUser);
  expect_round_trip(ShutdownStatus{"r-2", "alice", true}, parse_shutdown_status, kOpShutdownStatus);
  expect_round_trip(ShutdownStatus{"r-2", "alice", false}, parse_shutdown_status);
}

TEST(ControlMessages, LogsRoundTrip) {
  expect_round_trip(LogsRequest{"r-3", "runtime", "stderr", 50, "2024-05-01T10:00:00Z"},
                    parse_logs_request, kOpLogs);
  expect_round_trip(LogsRequest{"r-3", "all", "both", 0, std::nullopt}, parse_logs_request);
  expect_round_trip(LogsReply{"r-3", {}}, parse_logs_reply, kOpLogs);
  expect_round_trip(LogsReply{"r-3",
                              {{"2024-05-01T10:00:00.123Z", "runtime", "stdout", "ready"},
                               {"2024-05-01T10:00:01.000Z", "sidecar", "stderr", "warn: x"}}},
                    parse_logs_reply);
}

TEST(ControlMessages, LogsRequestDefaults) {
  auto parsed = parse_logs_request(json{{"request_id", "r"}});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->role, kRoleAll);
  EXPECT_EQ(parsed->stream, kStreamBoth);
  EXPECT_EQ(parsed->tail, kDefaultLogTail);
  EXPECT_FALSE(parsed->since);
}

TEST(ControlMessages, ErrorsNameTheField) {
  const ErrorCode code = ErrorCode::invalid_request;
  expect_parse_error(parse_logs_request, json{{"request_id", "r"}, {"role", "browser"}}, code,
                     "payload.role: must be one of: runtime, sidecar, all");
  expect_parse_error(parse_logs_request, json{{"request_id", "r"}, {"stream", "stdio"}}, code,
                     "payload.stream: must be one of");
  expect_parse_error(parse_logs_request, json{{"request_id", "r"}, {"tail", -1}}, code,
                     "payload.tail: must be a non-negative integer");
  expect_parse_error(parse_shutdown_user_request, json{{"request_id", "r"}}, code,
                     "payload.user_id: is required");
  expect_parse_error(parse_health_check_request, json::object(), code,
                     "payload.request_id: is required");
  json bad = to_json(process_tier_health());
  bad["startup_status"]["sandbox_tier"] = "vm";
  expect_parse_error(parse_health_status, bad, code,
                     "payload.startup_status.sandbox_tier: must be one of");
  bad = to_json(process_tier_health());
  bad.erase("startup_status");
  expect_parse_error(parse_health_status, bad, code, "payload.startup_status: is required");
  expect_parse_error(
      parse_logs_reply,
      json{{"request_id", "r"},
           {"entries", {{{"ts", "t"}, {"role", "all"}, {"stream", "stdout"}, {"line", ""}}}}},
      code, "payload.entries[0].role: must be one of: runtime, sidecar");
}

}  // namespace
}  // namespace oxydra::control_rpc
