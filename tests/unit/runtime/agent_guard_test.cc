#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "rig.h"

namespace oxydra::runtime {
namespace {

using gateway_rpc::TurnEventKind;
using testing::call;
using testing::FakeReply;
using tools::SafetyTier;

FakeReply wants_probe(const std::string& id) {
  return FakeReply{"", {call(id, "probe", "{}")}};
}

TEST(AgentGuards, MaxTurnsStopsAModelThatKeepsCallingTools) {
  testing::Rig rig;
  rig.add_tool("probe", SafetyTier::side_effecting);
  rig.limits.max_turns = 2;
  for (int i = 0; i < 5; ++i)
    rig.provider->push(wants_probe("c" + std::to_string(i)));
  Conversation conversation("s");
  auto result = rig.run(conversation, "loop forever");
  EXPECT_EQ(result.stop_reason, "max_turns");
  EXPECT_EQ(result.model_calls, 2u);
  EXPECT_EQ(rig.provider->calls(), 2u);
  // The first call's tool ran; the second call's was answered without running.
  EXPECT_EQ(std::count(rig.log->events.begin(), rig.log->events.end(), "begin probe"), 1);
  auto results = rig.of_kind(TurnEventKind::tool_result);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[1].is_error);
  EXPECT_NE(results[1].output.find("limit of 2 model calls"), std::string::npos);
  // The history stays well-formed: every call has its result.
  EXPECT_EQ(conversation.messages().back().role, Role::tool);
}

TEST(AgentGuards, ModelThatStopsOnItsLastAllowedCallCompletes) {
  testing::Rig rig;
  rig.limits.max_turns = 1;
  rig.provider->push(FakeReply{"just an answer"});
  Conversation conversation("s");
  EXPECT_EQ(rig.run(conversation, "hi").stop_reason, "completed");
}

TEST(AgentGuards, MaxCostStopsOnceTheTurnHasSpentItsBudget) {
  testing::Rig rig;
  rig.add_tool("probe", SafetyTier::side_effecting);
  rig.limits.input_price_per_mtok = 1000.0;   // 10 tokens: 0.01
  rig.limits.output_price_per_mtok = 1000.0;  // 5 tokens: 0.005
  rig.limits.max_cost = 0.02;
  for (int i = 0; i < 5; ++i)
    rig.provider->push(wants_probe("c" + std::to_string(i)));
  Conversation conversation("s");
  auto result = rig.run(conversation, "spend");
  EXPECT_EQ(result.stop_reason, "max_cost");
  EXPECT_EQ(result.model_calls, 2u);
  ASSERT_TRUE(result.usage.cost);
  EXPECT_DOUBLE_EQ(*result.usage.cost, 0.03);
  auto usage = rig.of_kind(TurnEventKind::usage);
  ASSERT_EQ(usage.size(), 2u);
  ASSERT_TRUE(usage[0].usage.cost);
  EXPECT_DOUBLE_EQ(*usage[0].usage.cost, 0.015);
}

TEST(AgentGuards, CancelMidStreamStopsTheProviderCall) {
  testing::Rig rig;
  rig.provider->push(FakeReply{.text = "thinking", .wait_for_cancel = true});
  Conversation conversation("s");
  TurnControl control;
  std::thread canceller([&] {
    while (rig.of_kind(TurnEventKind::text_delta).empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(control.cancel());
  });
  auto result = rig.run(conversation, "hi", control);
  canceller.join();
  EXPECT_EQ(result.stop_reason, "cancelled");
  EXPECT_FALSE(control.cancel());  // already stopped
}

TEST(AgentGuards, CancelStopsARunningToolAndTheRestAreNotRun) {
  testing::Rig rig;
  rig.add_tool("slow", SafetyTier::side_effecting, 1, /*wait_for_stop=*/true);
  rig.add_tool("probe", SafetyTier::side_effecting);
  rig.provider->push(FakeReply{"", {call("c1", "slow", "{}"), call("c2", "probe", "{}")}});
  Conversation conversation("s");
  TurnControl control;
  std::thread canceller([&] {
    rig.log->wait_running(1);
    control.cancel();
  });
  auto result = rig.run(conversation, "go", control);
  canceller.join();
  EXPECT_EQ(result.stop_reason, "cancelled");
  auto results = rig.of_kind(TurnEventKind::tool_result);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].is_error);
  EXPECT_TRUE(results[1].is_error);
  EXPECT_NE(results[1].output.find("cancelled"), std::string::npos);
  EXPECT_EQ(std::count(rig.log->events.begin(), rig.log->events.end(), "begin probe"), 0);
  EXPECT_EQ(rig.provider->calls(), 1u);
}

TEST(AgentGuards, TurnTimeoutStopsAHangingProvider) {
  testing::Rig rig;
  rig.limits.turn_timeout = std::chrono::milliseconds(50);
  rig.provider->push(FakeReply{.text = "", .wait_for_cancel = true});
  Conversation conversation("s");
  EXPECT_EQ(rig.run(conversation, "hi").stop_reason, "timeout");
}

TEST(AgentGuards, TurnTimeoutStopsAHangingTool) {
  testing::Rig rig;
  rig.add_tool("slow", SafetyTier::side_effecting, 1, /*wait_for_stop=*/true);
  rig.limits.turn_timeout = std::chrono::milliseconds(50);
  rig.provider->push(FakeReply{"", {call("c1", "slow", "{}")}});
  Conversation conversation("s");
  auto result = rig.run(conversation, "hi");
  EXPECT_EQ(result.stop_reason, "timeout");
  EXPECT_EQ(rig.provider->calls(), 1u);
}

}  // namespace
}  // namespace oxydra::runtime
