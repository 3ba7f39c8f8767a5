// oxydra-vm's life: a session that survives a restart, direct development
// mode, and envelopes it must refuse.

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "agent_harness.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/types/frame.h"

namespace oxydra::agent_test {
namespace {

TEST(LifecycleE2E, SessionSurvivesARestart) {
  testlib::FakeLlmServer llm;
  Workspace workspace;
  EnvelopeSpec spec;
  spec.base_url = llm.base_url() + "/v1";
  std::string session;
  {
    AgentVm vm;
    ASSERT_TRUE(vm.start_bootstrap(make_envelope(workspace, spec)));
    auto client = vm.connect(workspace.gateway_socket());
    ASSERT_TRUE(client) << vm.log();
    session = client->hello()->session_id;
    llm.enqueue(testlib::openai_stream(says("Noted: kiwi.")));
    auto done = client->send_message(session, "Remember the word kiwi.");
    ASSERT_TRUE(done) << done.error().message;
    client.reset();
    EXPECT_EQ(vm.stop(), 0) << vm.log();  // SIGTERM is a clean exit
  }
  AgentVm vm;
  ASSERT_TRUE(vm.start_bootstrap(make_envelope(workspace, spec)));
  auto client = vm.connect(workspace.gateway_socket());
  ASSERT_TRUE(client) << vm.log();
  auto hello = client->hello();
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->session_id, session) << "the latest session is resumed";
  llm.enqueue(testlib::openai_stream(says("The word was kiwi.")));
  auto done = client->send_message(session, "What was the word?");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->text, "The word was kiwi.");

  ASSERT_EQ(llm.request_count(), 2u);
  const auto messages = llm.requests()[1].json()["messages"];
  std::vector<std::string> said;
  for (const auto& m : messages) {
    if (m["content"].is_string())
      said.push_back(m["role"].get<std::string>() + ": " + m["content"].get<std::string>());
  }
  const std::vector<std::string> tail(said.end() - 3, said.end());
  EXPECT_EQ(tail,
            (std::vector<std::string>{"user: Remember the word kiwi.", "assistant: Noted: kiwi.",
                                      "user: What was the word?"}));
  auto listed = client->list_sessions();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->sessions.size(), 1u);
  EXPECT_EQ(listed->sessions[0].message_count, 4u);
  EXPECT_EQ(vm.stop(), 0);
}

TEST(LifecycleE2E, DirectModeRunsWithTheShellDisabled) {
  testlib::FakeLlmServer llm;
  testlib::TempDir dir("oxy-direct");
  const std::string config = dir.file("agent.toml");
  std::ofstream(config) << "provider = \"local\"\n"
                           "[providers.local]\n"
                           "base_url = \"" +
                               llm.base_url() +
                               "/v1\"\n"
                               "model = \"fake-model\"\n"
                               "api_key_env = \"OXY_E2E_DIRECT_KEY\"\n"
                               "max_retries = 0\n";
  const std::string workspace = dir.file("ws");
  AgentVm vm;
  ASSERT_TRUE(vm.start_direct(config, workspace, {{"OXY_E2E_DIRECT_KEY", kApiKey}}));
  auto client = vm.connect(workspace + "/ipc/gateway.sock");
  ASSERT_TRUE(client) << vm.log();
  auto hello = client->hello();
  ASSERT_TRUE(hello) << hello.error().message;
  EXPECT_EQ(hello->startup_status.sandbox_tier, SandboxTier::process);
  ASSERT_EQ(hello->tools[0].name, "shell_exec");
  EXPECT_FALSE(hello->tools[0].enabled);
  ASSERT_TRUE(hello->tools[0].reason);
  EXPECT_EQ(hello->tools[0].reason->rfind("insecure_process_tier", 0), 0u)
      << *hello->tools[0].reason;

  llm.enqueue(testlib::openai_stream(says("Hello from direct mode.")));
  auto done = client->send_message(hello->session_id, "hi");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->text, "Hello from direct mode.");
  EXPECT_EQ(llm.requests()[0].header("authorization"), std::string("Bearer ") + kApiKey);
  // Read from the environment once, then wiped: not even /proc shows it.
  std::ifstream environ_file("/proc/" + std::to_string(vm.pid()) + "/environ");
  const std::string environ_text((std::istreambuf_iterator<char>(environ_file)),
                                 std::istreambuf_iterator<char>());
  EXPECT_NE(environ_text.find("OXY_E2E_DIRECT_KEY"), std::string::npos);
  EXPECT_EQ(environ_text.find(kApiKey), std::string::npos);

  EXPECT_EQ(vm.stop(SIGINT), 0) << "SIGINT with no turn running stops direct mode";
  const std::string log = vm.log();
  EXPECT_NE(log.find("WARNING: direct development mode"), std::string::npos) << log;
  EXPECT_EQ(log.find(kApiKey), std::string::npos);
}

struct BadEnvelope : ::testing::Test {
  Workspace workspace;

  // Runs oxydra-vm on `raw` and returns its whole output; it must exit 2.
  std::string refused(const std::string& raw) {
    AgentVm vm;
    EXPECT_TRUE(vm.start_bootstrap_raw(raw));
    EXPECT_EQ(vm.wait_exit(), 2) << vm.log();
    return vm.log();
  }

  nlohmann::json valid() {
    EnvelopeSpec spec;
    spec.base_url = "http://127.0.0.1:9/v1";
    return make_envelope(workspace, spec);
  }
};

TEST_F(BadEnvelope, BlankSidecarAddress) {
  auto envelope = valid();
  envelope["sidecar_endpoint"] = {{"transport", "unix"}, {"address", ""}};
  EXPECT_EQ(refused(encode_frame(envelope.dump())),
            "oxydra-vm: invalid bootstrap envelope: sidecar_endpoint.address: must not be blank\n");
}

TEST_F(BadEnvelope, TierMismatch) {
  auto envelope = valid();
  envelope["startup_status"]["sandbox_tier"] = "container";
  EXPECT_EQ(refused(encode_frame(envelope.dump())),
            "oxydra-vm: invalid bootstrap envelope: startup_status.sandbox_tier: container "
            "differs from sandbox_tier process\n");
}

TEST_F(BadEnvelope, MissingCredentialNeverShowsTheOthers) {
  auto envelope = valid();
  envelope["credentials"] = {{"other", kApiKey}};
  const std::string out = refused(encode_frame(envelope.dump()));
  EXPECT_EQ(out,
            "oxydra-vm: invalid bootstrap envelope: credentials.llm: is required by "
            "providers.fake.credential\n");
}

TEST_F(BadEnvelope, NotJsonOversizedAndEmpty) {
  EXPECT_EQ(refused(encode_frame("{\"protocol_version\": 1,")),
            "oxydra-vm: invalid bootstrap envelope: envelope: not valid JSON\n");
  EXPECT_EQ(refused(std::string("\x00\x10\x00\x01", 4)),
            "oxydra-vm: invalid bootstrap envelope: frame of 1048577 bytes "
            "exceeds the limit of 1048576\n");
  EXPECT_EQ(refused(std::string("\0\0\0\0", 4)),
            "oxydra-vm: invalid bootstrap envelope: frame is empty (zero length)\n");
}

TEST_F(BadEnvelope, RefusedOnStdinToo) {
  auto envelope = valid();
  envelope["user_id"] = "";
  testlib::TempDir dir("oxy-stdin");
  std::ofstream(dir.file("frame"), std::ios::binary) << encode_frame(envelope.dump());
  testlib::ChildProcess vm;
  ASSERT_TRUE(vm.start(
      {"/bin/sh", "-c", testlib::bin_dir() + "/oxydra-vm --bootstrap-stdin < " + dir.file("frame")},
      dir.file("out.log")));
  auto status = vm.wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 2);
  EXPECT_EQ(vm.log(), "oxydra-vm: invalid bootstrap envelope: user_id: must not be blank\n");
}

TEST(LifecycleE2E, NoBootstrapSourceAndNoConfigIsAUsageError) {
  testlib::TempDir dir("oxy-usage");
  testlib::ChildProcess vm;
  ASSERT_TRUE(vm.start({testlib::bin_dir() + "/oxydra-vm"}, dir.file("out.log")));
  auto status = vm.wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 2);
  EXPECT_NE(vm.log().find("--bootstrap-fd"), std::string::npos) << vm.log();
}

}  // namespace
}  // namespace oxydra::agent_test
