// Cancel mid-stream through the gateway, and the max-turns and max-cost stops,
// with the real oxydra-vm against the fake LLM server.

#include <thread>

#include <gtest/gtest.h>

#include "agent_harness.h"
#include "oxydra/testlib/llm_scripts.h"

namespace oxydra::agent_test {
namespace {

using gateway_rpc::TurnEventKind;

testlib::ScriptedTurn wants_shell(const std::string& id) {
  return calls_tool("", id, "shell_exec", R"({"command":"ls"})");
}

struct GuardsE2E : ::testing::Test {
  testlib::FakeLlmServer llm;
  Workspace workspace;
  AgentVm vm;

  std::unique_ptr<gateway::Client> start(EnvelopeSpec spec) {
    spec.base_url = llm.base_url() + "/v1";
    EXPECT_TRUE(vm.start_bootstrap(make_envelope(workspace, spec)));
    auto client = vm.connect(workspace.gateway_socket());
    EXPECT_TRUE(client) << vm.log();
    return client;
  }

  void TearDown() override { EXPECT_EQ(vm.stop(), 0) << vm.log(); }
};

TEST_F(GuardsE2E, CancelMidStreamEndsTheTurnAndTheHttpRequest) {
  auto stalled = testlib::sse_stream(
      {testlib::openai_chunk({{"role", "assistant"}, {"content", "Let me think"}})});
  stalled.stall = true;
  llm.enqueue(stalled);
  auto client = start({});
  ASSERT_TRUE(client);
  const auto session = client->hello()->session_id;

  bool cancel_sent = false;
  Result<bool> cancelled = false;
  std::unique_ptr<gateway::Client>* self = &client;
  Transcript transcript;
  auto done = client->send_message(session, "think hard", [&](const gateway_rpc::TurnEvent& e) {
    transcript.events.push_back(e);
    if (e.kind == TurnEventKind::text_delta && !cancel_sent) {
      cancel_sent = true;
      // The handler runs on the caller's thread; cancel from another one, as
      // a SIGINT watcher would.
      std::thread([&] { cancelled = (*self)->cancel_active(); }).join();
    }
  });
  ASSERT_TRUE(done) << done.error().message << "\n" << vm.log();
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_TRUE(*cancelled);
  EXPECT_EQ(done->stop_reason, "cancelled");
  EXPECT_EQ(done->text, "Let me think");
  EXPECT_TRUE(llm.wait_for_closed_connections(1, std::chrono::seconds(30)));

  // The session is free again.
  llm.enqueue(testlib::openai_stream(says("Done thinking.")));
  auto next = client->send_message(session, "go on");
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->stop_reason, "completed");
}

TEST_F(GuardsE2E, MaxTurnsStopsAModelThatNeverStops) {
  for (int i = 0; i < 4; ++i)
    llm.enqueue(testlib::openai_stream(wants_shell("c" + std::to_string(i))));
  EnvelopeSpec spec;
  spec.max_turns = 2;
  auto client = start(spec);
  ASSERT_TRUE(client);
  Transcript transcript;
  auto done = client->send_message(client->hello()->session_id, "loop", transcript.handler());
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->stop_reason, "max_turns");
  EXPECT_EQ(llm.request_count(), 2u);
  EXPECT_EQ(transcript.of(TurnEventKind::usage).size(), 2u);
}

TEST_F(GuardsE2E, MaxCostStopsWhenTheBudgetIsSpent) {
  for (int i = 0; i < 4; ++i)
    llm.enqueue(testlib::openai_stream(wants_shell("c" + std::to_string(i))));
  EnvelopeSpec spec;
  spec.input_price = 1000.0;   // 12 input tokens per call: 0.012
  spec.output_price = 1000.0;  // 7 output tokens per call: 0.007
  spec.max_cost = 0.03;        // the second call (0.038 in total) crosses it
  auto client = start(spec);
  ASSERT_TRUE(client);
  Transcript transcript;
  auto done = client->send_message(client->hello()->session_id, "spend", transcript.handler());
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->stop_reason, "max_cost");
  EXPECT_EQ(llm.request_count(), 2u);
  ASSERT_TRUE(done->usage.cost);
  EXPECT_NEAR(*done->usage.cost, 0.038, 1e-9);
  auto results = transcript.of(TurnEventKind::tool_result);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_NE(results[1].output.find("cost limit"), std::string::npos);
}

}  // namespace
}  // namespace oxydra::agent_test
