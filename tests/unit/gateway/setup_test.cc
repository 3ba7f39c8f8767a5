#include "oxydra/gateway/agent_setup.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "oxydra/logging/redact.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::gateway {
namespace {

constexpr const char* kSetupSecret = "sk-setup-test-9876543210";

BootstrapEnvelope process_envelope(const std::string& workspace) {
  auto j = nlohmann::json::parse(R"({
    "protocol_version": 1, "user_id": "alice", "sandbox_tier": "process",
    "workspace_root": "",
    "credentials": {},
    "agent_config": {"provider": "p", "providers": {"p": {"base_url": "http://127.0.0.1:1/v1",
                     "model": "m", "credential": "openai"}}},
    "gateway": {"transport": "unix", "address": "/unused/gateway.sock"},
    "startup_status": {"sandbox_tier": "process",
      "degraded_reasons": [{"code": "insecure_process_tier", "detail": "no shell-vm"}]}
  })");
  j["workspace_root"] = workspace;
  j["credentials"]["openai"] = kSetupSecret;
  auto envelope = parse_bootstrap_envelope(j);
  EXPECT_TRUE(envelope) << envelope.error().message;
  return *envelope;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(SetupFromEnvelope, BuildsTheAgentWithTheShellDisabledForTheEnvelopesReason) {
  testlib::TempDir dir("oxy-setup");
  auto setup = setup_from_envelope(process_envelope(dir.path()));
  ASSERT_TRUE(setup) << setup.error().message;
  EXPECT_EQ(setup->user_id, "alice");
  EXPECT_FALSE(setup->direct_mode);
  ASSERT_TRUE(setup->provider);
  ASSERT_TRUE(setup->store);
  ASSERT_TRUE(setup->audit);
  const auto* shell = setup->tools->find("shell_exec");
  ASSERT_NE(shell, nullptr);
  EXPECT_FALSE(shell->availability().enabled);
  EXPECT_EQ(shell->availability().reason, "insecure_process_tier");
  EXPECT_NE(setup->tools->find("file_read"), nullptr);
  EXPECT_EQ(mode_of(dir.file("internal")), 0700u);
  EXPECT_EQ(mode_of(dir.file("internal/memory.db")), 0600u);
  EXPECT_EQ(setup->gateway_socket, "/unused/gateway.sock");
  // Registered with the log redactor before anything else happened.
  EXPECT_EQ(logging::redact(std::string("key=") + kSetupSecret), "key=[redacted]");
}

TEST(SetupFromEnvelope, RefusesAMissingCredential) {
  testlib::TempDir dir("oxy-setup");
  auto envelope = process_envelope(dir.path());
  envelope.credentials.clear();
  auto setup = setup_from_envelope(envelope);
  ASSERT_FALSE(setup);
  EXPECT_EQ(setup.error().code, ErrorCode::invalid_envelope);
  EXPECT_EQ(setup.error().message, "credentials.openai: is required by providers.p.credential");
}

TEST(SetupFromEnvelope, RefusesAnInvalidAgentConfig) {
  testlib::TempDir dir("oxy-setup");
  auto envelope = process_envelope(dir.path());
  envelope.agent_config["runtime"] = {{"max_turns", 0}};
  auto setup = setup_from_envelope(envelope);
  ASSERT_FALSE(setup);
  EXPECT_EQ(setup.error().code, ErrorCode::invalid_envelope);
  EXPECT_NE(setup.error().message.find("agent_config.runtime.max_turns"), std::string::npos);
}

TEST(SetupFromEnvelope, RefusesAGatewayItCannotListenOn) {
  testlib::TempDir dir("oxy-setup");
  auto envelope = process_envelope(dir.path());
  envelope.gateway = ChannelEndpoint{ChannelTransport::vsock, "3:5000"};
  auto setup = setup_from_envelope(envelope);
  ASSERT_FALSE(setup);
  EXPECT_EQ(setup.error().code, ErrorCode::invalid_envelope);
  EXPECT_NE(setup.error().message.find("gateway.transport"), std::string::npos);
}

TEST(SetupFromEnvelope, ShellOffInTheConfigIsReportedAsSuch) {
  testlib::TempDir dir("oxy-setup");
  auto envelope = process_envelope(dir.path());
  envelope.agent_config["tools"] = {{"shell", {{"enabled", false}}}};
  auto setup = setup_from_envelope(envelope);
  ASSERT_TRUE(setup) << setup.error().message;
  EXPECT_EQ(setup->tools->find("shell_exec")->availability().reason, "disabled_by_agent_config");
}

struct DirectMode : ::testing::Test {
  testlib::TempDir dir{"oxy-direct"};
  std::string config = dir.file("agent.toml");

  void SetUp() override {
    std::ofstream(config) << "provider = \"local\"\n"
                             "[providers.local]\n"
                             "base_url = \"http://127.0.0.1:1/v1\"\n"
                             "model = \"llama\"\n"
                             "api_key_env = \"OXY_DIRECT_TEST_KEY\"\n";
  }
};

TEST_F(DirectMode, ReadsTheKeyFromTheEnvironmentAndDisablesTheShell) {
  ::setenv("OXY_DIRECT_TEST_KEY", "direct-secret-abcdef", 1);
  auto setup = setup_direct(DirectOptions{config, dir.file("ws")});
  ASSERT_TRUE(setup) << setup.error().message;
  EXPECT_TRUE(setup->direct_mode);
  EXPECT_EQ(std::getenv("OXY_DIRECT_TEST_KEY"), nullptr) << "the key is removed from the env";
  EXPECT_EQ(logging::redact("direct-secret-abcdef"), "[redacted]");
  EXPECT_EQ(setup->gateway_socket, dir.file("ws/ipc/gateway.sock"));
  EXPECT_EQ(setup->startup_status.sandbox_tier, SandboxTier::process);
  EXPECT_TRUE(has_degraded_reason(setup->startup_status, "insecure_process_tier"));
  const auto availability = setup->tools->find("shell_exec")->availability();
  EXPECT_FALSE(availability.enabled);
  EXPECT_EQ(availability.reason, "insecure_process_tier");
}

TEST_F(DirectMode, NamesTheMissingVariable) {
  ::unsetenv("OXY_DIRECT_TEST_KEY");
  auto setup = setup_direct(DirectOptions{config, dir.file("ws")});
  ASSERT_FALSE(setup);
  EXPECT_EQ(setup.error().code, ErrorCode::invalid_config);
  EXPECT_NE(setup.error().message.find("OXY_DIRECT_TEST_KEY is not set"), std::string::npos);
}

}  // namespace
}  // namespace oxydra::gateway
