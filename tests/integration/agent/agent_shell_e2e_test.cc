// A user message makes the model call shell_exec; the command runs in a real
// shell-daemon; the result goes back to the model; the answer streams out.

#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "agent_harness.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/shell_daemon_process.h"

namespace oxydra::agent_test {
namespace {

using gateway_rpc::TurnEventKind;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ShellE2E : ::testing::Test {
  testlib::FakeLlmServer llm;
  testlib::ShellDaemonProcess daemon;
  Workspace workspace;
  AgentVm vm;

  void SetUp() override { ASSERT_TRUE(daemon.started()) << daemon.log(); }

  std::unique_ptr<gateway::Client> start(const std::string& api) {
    EnvelopeSpec spec;
    spec.api = api;
    spec.base_url = api == "anthropic" ? llm.base_url() : llm.base_url() + "/v1";
    spec.shell_socket = daemon.socket_path();
    EXPECT_TRUE(vm.start_bootstrap(make_envelope(workspace, spec)));
    auto client = vm.connect(workspace.gateway_socket());
    EXPECT_TRUE(client) << vm.log();
    return client;
  }

  void TearDown() override {
    EXPECT_EQ(vm.stop(), 0) << vm.log();
    const std::string log = vm.log();
    EXPECT_EQ(log.find(kApiKey), std::string::npos) << "the API key leaked into the log";
  }
};

TEST_F(ShellE2E, ShellCommandRunsInTheDaemonAndItsResultReachesTheModel) {
  const std::string proof = workspace.file("shared/proof.txt");
  const std::string command = "echo ran-in-daemon > " + proof + " && echo marker-7f3a && env";
  llm.enqueue(testlib::openai_stream(calls_tool("Running it.", "call_1", "shell_exec",
                                                nlohmann::json({{"command", command}}).dump())));
  llm.enqueue(testlib::openai_stream(says("The command printed marker-7f3a.")));

  auto client = start("openai_chat");
  ASSERT_TRUE(client);
  auto hello = client->hello();
  ASSERT_TRUE(hello) << hello.error().message;
  ASSERT_FALSE(hello->tools.empty());
  EXPECT_EQ(hello->tools[0].name, "shell_exec");
  EXPECT_TRUE(hello->tools[0].enabled) << hello->tools[0].reason.value_or("");

  Transcript transcript;
  auto done = client->send_message(hello->session_id, "run my command", transcript.handler());
  ASSERT_TRUE(done) << done.error().message << "\n" << vm.log();
  EXPECT_EQ(done->stop_reason, "completed");
  EXPECT_EQ(done->text, "The command printed marker-7f3a.");

  // It really ran, in the daemon.
  EXPECT_EQ(read_file(proof), "ran-in-daemon\n");
  auto results = transcript.of(TurnEventKind::tool_result);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].is_error) << results[0].output;
  EXPECT_NE(results[0].output.find("marker-7f3a"), std::string::npos);
  auto calls = transcript.of(TurnEventKind::tool_call);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].arguments["command"], command);

  // The result went back to the model in the second request.
  ASSERT_EQ(llm.request_count(), 2u);
  const auto second = llm.requests()[1].json();
  bool found = false;
  for (const auto& message : second["messages"]) {
    if (message.value("role", "") == "tool" && message.value("tool_call_id", "") == "call_1") {
      found = message["content"].get<std::string>().find("marker-7f3a") != std::string::npos;
    }
  }
  EXPECT_TRUE(found) << second.dump();

  // The final answer streamed as text deltas before turn_complete.
  EXPECT_GT(transcript.of(TurnEventKind::text_delta).size(), 1u);
  EXPECT_EQ(transcript.text_after_last_tool_result(), "The command printed marker-7f3a.");

  // The key went to the provider, and nowhere near the shell.
  EXPECT_EQ(llm.requests()[0].header("authorization"), std::string("Bearer ") + kApiKey);
  EXPECT_EQ(results[0].output.find(kApiKey), std::string::npos);
  EXPECT_NE(results[0].output.find("PATH="), std::string::npos) << "env ran";
  for (const auto& body : request_bodies(llm))
    EXPECT_EQ(body.find(kApiKey), std::string::npos);

  // The call is in the tamper-evident audit log, and the chain verifies.
  const std::string audit = workspace.file("internal/audit.jsonl");
  const std::string audit_text = read_file(audit);
  EXPECT_NE(audit_text.find("\"tool\":\"shell_exec\""), std::string::npos);
  EXPECT_NE(audit_text.find("\"exit_code\":0"), std::string::npos);
  testlib::TempDir out("oxy-av");
  testlib::ChildProcess verify;
  ASSERT_TRUE(verify.start({testlib::bin_dir() + "/oxydra-vm", "audit-verify", audit},
                           out.file("verify.log")));
  auto status = verify.wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 0) << verify.log();
  EXPECT_EQ(verify.log(), "ok: 1 lines\n");
}

TEST_F(ShellE2E, AnthropicFormatEndToEnd) {
  llm.enqueue(testlib::anthropic_stream(calls_tool("Checking.", "toolu_01", "shell_exec",
                                                   R"j({"command":"echo anthropic-$((6*7))"})j")));
  llm.enqueue(testlib::anthropic_stream(says("It says anthropic-42.")));

  auto client = start("anthropic");
  ASSERT_TRUE(client);
  const auto session = client->hello()->session_id;
  Transcript transcript;
  auto done = client->send_message(session, "compute", transcript.handler());
  ASSERT_TRUE(done) << done.error().message << "\n" << vm.log();
  EXPECT_EQ(done->stop_reason, "completed");
  EXPECT_EQ(done->text, "It says anthropic-42.");
  EXPECT_EQ(done->usage.input_tokens, 24u);

  ASSERT_EQ(llm.request_count(), 2u);
  const auto first = llm.requests()[0];
  EXPECT_EQ(first.path, "/v1/messages");
  EXPECT_EQ(first.header("x-api-key"), kApiKey);
  const auto second = llm.requests()[1].json();
  const std::string body = second.dump();
  EXPECT_NE(body.find("tool_result"), std::string::npos);
  EXPECT_NE(body.find("toolu_01"), std::string::npos);
  EXPECT_NE(body.find("anthropic-42"), std::string::npos);
  auto results = transcript.of(TurnEventKind::tool_result);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_NE(results[0].output.find("anthropic-42"), std::string::npos);
}

}  // namespace
}  // namespace oxydra::agent_test
