#include "oxydra/types/envelope.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "envelope_fixture.h"

namespace oxydra {
namespace {

using nlohmann::json;
using testing::kSecret;
using testing::valid_envelope;

struct Case {
  const char* name;
  std::function<void(json&)> mutate;
  const char* message;  // expected in the error; empty for passing cases
};

// Each rule of protocol.md §3 (and the project's additions) with a failing case.
const std::vector<Case> kFailing = {
    {"not an object", [](json& j) { j = json::array(); }, "envelope: must be a JSON object"},
    {"version 2", [](json& j) { j["protocol_version"] = 2; },
     "protocol_version: unsupported version 2"},
    {"version missing", [](json& j) { j.erase("protocol_version"); },
     "protocol_version: is required"},
    {"user_id empty", [](json& j) { j["user_id"] = ""; }, "user_id: must not be blank"},
    {"user_id blank", [](json& j) { j["user_id"] = "  "; }, "user_id: must not be blank"},
    {"user_id missing", [](json& j) { j.erase("user_id"); }, "user_id: is required"},
    {"user_id too long", [](json& j) { j["user_id"] = std::string(65, 'a'); },
     "user_id: user id is longer than 64"},
    {"user_id slash", [](json& j) { j["user_id"] = "al/ice"; }, "user_id: user id contains '/'"},
    {"user_id space", [](json& j) { j["user_id"] = "al ice"; }, "user_id: user id contains ' '"},
    {"user_id leading dot", [](json& j) { j["user_id"] = ".alice"; },
     "user_id: user id must not start with '.'"},
    {"user_id dotdot", [](json& j) { j["user_id"] = ".."; },
     "user_id: user id must not start with '.'"},
    {"user_id inner dotdot", [](json& j) { j["user_id"] = "a..b"; },
     "user_id: user id must not contain \"..\""},
    {"tier unknown", [](json& j) { j["sandbox_tier"] = "vm"; }, "sandbox_tier: must be one of"},
    {"workspace_root blank", [](json& j) { j["workspace_root"] = " \t"; },
     "workspace_root: must not be blank"},
    {"workspace_root missing", [](json& j) { j.erase("workspace_root"); },
     "workspace_root: is required"},
    {"sidecar address blank", [](json& j) { j["sidecar_endpoint"]["address"] = " "; },
     "sidecar_endpoint.address: must not be blank"},
    {"sidecar transport", [](json& j) { j["sidecar_endpoint"]["transport"] = "tcp"; },
     "sidecar_endpoint.transport: must be one of"},
    {"sidecar not object", [](json& j) { j["sidecar_endpoint"] = "unix:/x"; },
     "sidecar_endpoint: must be an object"},
    {"gateway missing", [](json& j) { j.erase("gateway"); }, "gateway: is required"},
    {"gateway address blank", [](json& j) { j["gateway"]["address"] = ""; },
     "gateway.address: must not be blank"},
    {"agent_config missing", [](json& j) { j.erase("agent_config"); }, "agent_config: is required"},
    {"agent_config not object", [](json& j) { j["agent_config"] = "x"; },
     "agent_config: must be an object"},
    {"startup_status missing", [](json& j) { j.erase("startup_status"); },
     "startup_status: is required"},
    {"status tier differs", [](json& j) { j["startup_status"]["sandbox_tier"] = "process"; },
     "startup_status.sandbox_tier: process differs from sandbox_tier container"},
    {"sidecar_available without endpoint",
     [](json& j) {
       j.erase("sidecar_endpoint");
       j["startup_status"]["shell_available"] = false;
     },
     "startup_status.sidecar_available: true without a sidecar_endpoint"},
    {"shell_available without endpoint",
     [](json& j) {
       j.erase("sidecar_endpoint");
       j["startup_status"]["sidecar_available"] = false;
     },
     "startup_status.shell_available: true without a sidecar_endpoint"},
    {"browser_available without endpoint",
     [](json& j) {
       j.erase("sidecar_endpoint");
       j["startup_status"]["sidecar_available"] = false;
       j["startup_status"]["shell_available"] = false;
       j["startup_status"]["browser_available"] = true;
     },
     "startup_status.browser_available: true without a sidecar_endpoint"},
    {"shell without sidecar", [](json& j) { j["startup_status"]["sidecar_available"] = false; },
     "startup_status.shell_available: true while sidecar_available is false"},
    {"browser without sidecar",
     [](json& j) {
       j["startup_status"]["sidecar_available"] = false;
       j["startup_status"]["shell_available"] = false;
       j["startup_status"]["browser_available"] = true;
     },
     "startup_status.browser_available: true while sidecar_available is false"},
    {"mount shared blank", [](json& j) { j["runtime_policy"]["mounts"]["shared"] = ""; },
     "runtime_policy.mounts.shared: must not be blank"},
    {"mount tmp blank", [](json& j) { j["runtime_policy"]["mounts"]["tmp"] = " "; },
     "runtime_policy.mounts.tmp: must not be blank"},
    {"mount vault blank", [](json& j) { j["runtime_policy"]["mounts"]["vault"] = "\n"; },
     "runtime_policy.mounts.vault: must not be blank"},
    {"zero vcpus", [](json& j) { j["runtime_policy"]["resources"]["max_vcpus"] = 0; },
     "runtime_policy.resources.max_vcpus: must be greater than zero"},
    {"zero memory", [](json& j) { j["runtime_policy"]["resources"]["max_memory_mib"] = 0; },
     "runtime_policy.resources.max_memory_mib: must be greater than zero"},
    {"zero processes", [](json& j) { j["runtime_policy"]["resources"]["max_processes"] = 0; },
     "runtime_policy.resources.max_processes: must be greater than zero"},
    {"negative processes", [](json& j) { j["runtime_policy"]["resources"]["max_processes"] = -4; },
     "runtime_policy.resources.max_processes: must be a non-negative integer"},
    {"blank credential name", [](json& j) { j["credentials"][" "] = "v"; },
     "credentials: names must not be blank"},
    {"empty credential name", [](json& j) { j["credentials"][""] = "v"; },
     "credentials: names must not be blank"},
    {"blank credential value", [](json& j) { j["credentials"]["openai"] = " "; },
     "credentials.openai: must not be blank"},
    {"credential not a string",
     [](json& j) {
       j["credentials"]["openai"] = json{{"key", kSecret}};
     },
     "credentials.openai: must be a string"},
    {"blank credential_ref name",
     [](json& j) { j["runtime_policy"]["credential_refs"][""] = "env:X"; },
     "runtime_policy.credential_refs: names must not be blank"},
    {"blank credential_ref", [](json& j) { j["runtime_policy"]["credential_refs"]["openai"] = ""; },
     "runtime_policy.credential_refs.openai: must not be blank"},
    {"degraded code blank",
     [](json& j) {
       j["startup_status"]["degraded_reasons"] = {{{"code", " "}, {"detail", "d"}}};
     },
     "startup_status.degraded_reasons[0].code: must not be blank"},
};

// For each rule, a nearby case that must still pass.
const std::vector<Case> kPassing = {
    {"as is", [](json&) {}, ""},
    {"user_id at 64 chars", [](json& j) { j["user_id"] = std::string(64, 'z'); }, ""},
    {"user_id all classes", [](json& j) { j["user_id"] = "Alice.B_c-9"; }, ""},
    {"user_id inner dot", [](json& j) { j["user_id"] = "a.b"; }, ""},
    {"micro_vm tier",
     [](json& j) {
       j["sandbox_tier"] = "micro_vm";
       j["startup_status"]["sandbox_tier"] = "micro_vm";
       j["sidecar_endpoint"] = {{"transport", "virtio_serial"}, {"address", "/dev/vport0p1"}};
     },
     ""},
    {"vsock transports",
     [](json& j) {
       j["sidecar_endpoint"] = {{"transport", "vsock"}, {"address", "3:5000"}};
       j["gateway"] = {{"transport", "firecracker_vsock"}, {"address", "/run/v.sock:6000"}};
     },
     ""},
    {"process tier, no sidecar",
     [](json& j) {
       j["sandbox_tier"] = "process";
       j.erase("sidecar_endpoint");
       j["startup_status"] = {
           {"sandbox_tier", "process"},
           {"sidecar_available", false},
           {"shell_available", false},
           {"browser_available", false},
           {"degraded_reasons", {{{"code", "insecure_process_tier"}, {"detail", "dev"}}}}};
     },
     ""},
    {"sidecar endpoint but unavailable",
     [](json& j) {
       j["startup_status"]["sidecar_available"] = false;
       j["startup_status"]["shell_available"] = false;
     },
     ""},
    {"browser with sidecar", [](json& j) { j["startup_status"]["browser_available"] = true; }, ""},
    {"no runtime_policy", [](json& j) { j.erase("runtime_policy"); }, ""},
    {"no mounts or resources", [](json& j) { j["runtime_policy"] = json::object(); }, ""},
    {"limits of one",
     [](json& j) {
       j["runtime_policy"]["resources"] = {
           {"max_vcpus", 1}, {"max_memory_mib", 1}, {"max_processes", 1}};
     },
     ""},
    {"no credentials", [](json& j) { j.erase("credentials"); }, ""},
    {"null optional fields",
     [](json& j) {
       j["sidecar_endpoint"] = nullptr;
       j["startup_status"]["sidecar_available"] = false;
       j["startup_status"]["shell_available"] = false;
     },
     ""},
    {"unknown fields",
     [](json& j) {
       j["x_future"] = {{"a", 1}};
       j["runtime_policy"]["x_future"] = true;
       j["startup_status"]["enforcement"]["runtime"]["x_future"] = "y";
       j["gateway"]["x_future"] = 1;
     },
     ""},
};

TEST(BootstrapEnvelopeRules, EveryRuleRejectsItsFailingCase) {
  for (const auto& c : kFailing) {
    SCOPED_TRACE(c.name);
    json j = valid_envelope();
    c.mutate(j);
    auto parsed = parse_bootstrap_envelope(j);
    ASSERT_FALSE(parsed) << "accepted";
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_envelope);
    EXPECT_NE(parsed.error().message.find(c.message), std::string::npos) << parsed.error().message;
    EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos) << "one line";
    EXPECT_EQ(parsed.error().message.find(kSecret), std::string::npos) << "leaked the secret";
  }
}

TEST(BootstrapEnvelopeRules, EveryRuleAcceptsItsPassingCase) {
  for (const auto& c : kPassing) {
    SCOPED_TRACE(c.name);
    json j = valid_envelope();
    c.mutate(j);
    auto parsed = parse_bootstrap_envelope(j);
    ASSERT_TRUE(parsed) << parsed.error().message;
  }
}

}  // namespace
}  // namespace oxydra
