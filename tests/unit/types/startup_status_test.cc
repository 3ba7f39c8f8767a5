#include "oxydra/types/startup_status.h"

#include <gtest/gtest.h>

#include "round_trip.h"

namespace oxydra {
namespace {

using nlohmann::json;
using testing::expect_parse_error;
using testing::expect_round_trip;

auto parse_status = [](const json& j) { return parse_startup_status(j); };

EnforcementReport container_report() {
  EnforcementReport r;
  r.namespaces = {true, true, true, true, true, true, false};
  r.rootfs_read_only = true;
  r.writable_paths = std::vector<std::string>{"/shared", "/tmp"};
  r.capabilities = std::vector<std::string>{};
  r.capabilities_mask = "0000000000000000";
  r.no_new_privs = true;
  r.seccomp = SeccompState{"filter", "oxydra-shell-v1"};
  r.landlock = LandlockState{7,
                             {"write_file", "make_dir"},
                             {"connect_tcp"},
                             {"signal"},
                             std::string(kLandlockFullyEnforced)};
  r.cgroup = CgroupLimits{1.5, 512ull << 20, 256, "cgroup2:/sys/fs/cgroup/oxydra-alice-shell"};
  r.network = std::string(kNetworkNone);
  r.notes = {"measured from /proc/self/status inside the guest"};
  return r;
}

StartupStatusReport full_status() {
  StartupStatusReport s;
  s.sandbox_tier = SandboxTier::micro_vm;
  s.sidecar_available = true;
  s.shell_available = true;
  s.degraded_reasons = {{std::string(degraded::kSidecarConnectionFailed), "retrying"}};
  EnforcementReport vm = container_report();
  vm.namespaces = {};
  VmmInfo vmm;
  vmm.name = "qemu";
  vmm.accel = "tcg";
  vmm.version = "QEMU emulator version 7.2.15";
  vmm.accel_reason = "forced by [micro_vm] accel = \"tcg\"";
  vmm.guest_kernel = "6.1.0-57-amd64";
  vmm.vcpus = 1;
  vmm.memory_mib = 512;
  vmm.vmm_rss_mib = 270;
  vmm.devices = {"virtio-blk root disk (read-only)"};
  vmm.shares = {"shared -> /shared (9p, read-write)"};
  vm.vmm = vmm;
  vm.cgroup = CgroupLimits{std::nullopt, std::nullopt, std::nullopt, "qemu"};
  s.enforcement.runtime = vm;
  s.enforcement.sidecar = container_report();
  return s;
}

TEST(StartupStatus, RoundTripsFullReport) {
  expect_round_trip(full_status(), parse_status);
}

TEST(StartupStatus, RoundTripsMinimalProcessTierReport) {
  StartupStatusReport s;
  s.degraded_reasons = {{std::string(degraded::kInsecureProcessTier), "shell disabled"},
                        {std::string(degraded::kProcessHardeningLimited), "no landlock net"}};
  EnforcementReport unknown;
  s.enforcement.runtime = unknown;
  expect_round_trip(s, parse_status);
  EXPECT_TRUE(has_degraded_reason(s, degraded::kInsecureProcessTier));
  EXPECT_FALSE(has_degraded_reason(s, degraded::kRuntimeShutdown));
}

TEST(StartupStatus, UnknownEnforcementFieldsAreExplicitNulls) {
  StartupStatusReport s;
  s.enforcement.runtime = EnforcementReport{};
  const json wire = to_json(s);
  const json& runtime = wire["enforcement"]["runtime"];
  for (const char* key : {"rootfs_read_only", "writable_paths", "capabilities", "no_new_privs",
                          "seccomp", "landlock", "cgroup", "network", "vmm"}) {
    ASSERT_TRUE(runtime.contains(key)) << key;
    EXPECT_TRUE(runtime[key].is_null()) << key;
  }
  EXPECT_TRUE(runtime["namespaces"]["pid"].is_null());
  EXPECT_TRUE(wire["enforcement"]["sidecar"].is_null());
}

TEST(StartupStatus, EmptyCapabilityListDiffersFromUnknown) {
  EnforcementReport none;
  none.capabilities = std::vector<std::string>{};
  auto parsed = parse_enforcement_report(to_json(none), "e", ErrorCode::invalid_request);
  ASSERT_TRUE(parsed);
  ASSERT_TRUE(parsed->capabilities);
  EXPECT_TRUE(parsed->capabilities->empty());
  auto unknown = parse_enforcement_report(json::object(), "e", ErrorCode::invalid_request);
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->capabilities);
}

TEST(StartupStatus, AcceptsUnknownDegradedCodes) {
  auto parsed = parse_startup_status(
      json{{"sandbox_tier", "container"},
           {"degraded_reasons", {{{"code", "some_future_code"}, {"detail", "x"}}}}});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->degraded_reasons.at(0).code, "some_future_code");
}

TEST(StartupStatus, RejectsMalformedReports) {
  const ErrorCode code = ErrorCode::invalid_request;
  expect_parse_error(parse_status, json{{"sidecar_available", false}}, code,
                     "startup_status.sandbox_tier: is required");
  expect_parse_error(parse_status, json{{"sandbox_tier", "vm"}}, code,
                     "startup_status.sandbox_tier: must be one of");
  expect_parse_error(parse_status,
                     json{{"sandbox_tier", "process"}, {"degraded_reasons", {{{"detail", "x"}}}}},
                     code, "startup_status.degraded_reasons[0].code: is required");
  json bad = to_json(full_status());
  bad["enforcement"]["sidecar"]["network"] = "internet";
  expect_parse_error(parse_status, bad, code,
                     "startup_status.enforcement.sidecar.network: must be one of");
  bad = to_json(full_status());
  bad["enforcement"]["runtime"]["seccomp"]["mode"] = "on";
  expect_parse_error(parse_status, bad, code,
                     "startup_status.enforcement.runtime.seccomp.mode: must be one of");
  bad = to_json(full_status());
  bad["enforcement"]["sidecar"]["landlock"]["status"] = "maybe";
  expect_parse_error(parse_status, bad, code, "enforcement.sidecar.landlock.status");
  bad = to_json(full_status());
  bad["enforcement"]["sidecar"]["cgroup"]["pids"] = -1;
  expect_parse_error(parse_status, bad, code, "enforcement.sidecar.cgroup.pids");
  bad = to_json(full_status());
  bad["enforcement"]["runtime"]["vmm"]["accel"] = "";
  expect_parse_error(parse_status, bad, code, "enforcement.runtime.vmm.accel: must not be blank");
  bad = to_json(full_status());
  bad["enforcement"]["runtime"]["namespaces"]["pid"] = "yes";
  expect_parse_error(parse_status, bad, code,
                     "enforcement.runtime.namespaces.pid: must be a boolean");
  expect_parse_error(parse_status, json{{"sandbox_tier", "process"}, {"enforcement", 3}}, code,
                     "startup_status.enforcement: must be an object");
}

}  // namespace
}  // namespace oxydra
