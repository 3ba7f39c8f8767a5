#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "oxydra/tools/shell_tool.h"

#include "rig.h"

namespace oxydra::runtime {
namespace {

using testing::call;
using testing::FakeReply;
using tools::SafetyTier;

std::vector<std::string> events_of(testing::Rig& rig) {
  std::lock_guard lock(rig.log->mu);
  return rig.log->events;
}

std::size_t index_of(const std::vector<std::string>& events, const std::string& event) {
  auto it = std::find(events.begin(), events.end(), event);
  EXPECT_NE(it, events.end()) << event;
  return static_cast<std::size_t>(it - events.begin());
}

TEST(AgentTools, ReadOnlyCallsRunInParallel) {
  testing::Rig rig;
  rig.add_tool("look_a", SafetyTier::read_only, /*rendezvous=*/2);
  rig.add_tool("look_b", SafetyTier::read_only, /*rendezvous=*/2);
  rig.provider->push(FakeReply{"", {call("c1", "look_a", "{}"), call("c2", "look_b", "{}")}});
  rig.provider->push(FakeReply{"seen"});
  Conversation conversation("s");
  ASSERT_EQ(rig.run(conversation, "look").stop_reason, "completed");
  // Each waits until both are running: only concurrent calls meet.
  EXPECT_EQ(rig.log->max_running, 2);
  // Both results reach the model, whatever order they finished in.
  const auto second = rig.provider->requests()[1].messages;
  std::set<std::string> answered;
  for (const auto& m : second)
    if (m.role == Role::tool) answered.insert(m.tool_call_id);
  EXPECT_EQ(answered, (std::set<std::string>{"c1", "c2"}));
}

TEST(AgentTools, SideEffectingCallsRunOneAtATimeInTheModelsOrder) {
  testing::Rig rig;
  rig.add_tool("write", SafetyTier::side_effecting);
  rig.provider->push(
      FakeReply{"",
                {call("c1", "write", R"({"x":"1"})"), call("c2", "write", R"({"x":"2"})"),
                 call("c3", "write", R"({"x":"3"})")}});
  rig.provider->push(FakeReply{"written"});
  Conversation conversation("s");
  ASSERT_EQ(rig.run(conversation, "write").stop_reason, "completed");
  EXPECT_EQ(rig.log->max_running, 1);
  auto results = rig.of_kind(gateway_rpc::TurnEventKind::tool_result);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].call_id, "c1");
  EXPECT_EQ(results[1].call_id, "c2");
  EXPECT_EQ(results[2].call_id, "c3");
}

TEST(AgentTools, ASideEffectingCallSeparatesReadOnlyBatches) {
  testing::Rig rig;
  rig.add_tool("look_a", SafetyTier::read_only, /*rendezvous=*/2);
  rig.add_tool("look_b", SafetyTier::read_only, /*rendezvous=*/2);
  rig.add_tool("write", SafetyTier::side_effecting);
  rig.add_tool("look_c", SafetyTier::read_only);
  rig.provider->push(FakeReply{"",
                               {call("c1", "look_a", "{}"), call("c2", "look_b", "{}"),
                                call("c3", "write", "{}"), call("c4", "look_c", "{}")}});
  rig.provider->push(FakeReply{"done"});
  Conversation conversation("s");
  ASSERT_EQ(rig.run(conversation, "mixed").stop_reason, "completed");
  EXPECT_EQ(rig.log->max_running, 2);
  const auto events = events_of(rig);
  const auto write_begins = index_of(events, "begin write");
  EXPECT_LT(index_of(events, "end look_a"), write_begins);
  EXPECT_LT(index_of(events, "end look_b"), write_begins);
  EXPECT_LT(index_of(events, "end write"), index_of(events, "begin look_c"));
}

TEST(AgentTools, DisabledToolsAreNotOfferedButAnswerWithTheirReason) {
  testing::Rig rig;
  auto added = rig.registry->add(tools::make_disabled_shell_exec_tool(
      "insecure_process_tier", "no shell on the process tier"));
  ASSERT_TRUE(added);
  rig.provider->push(FakeReply{"", {call("c1", "shell_exec", R"({"command":"ls"})")}});
  rig.provider->push(FakeReply{"no shell here"});
  Conversation conversation("s");
  ASSERT_EQ(rig.run(conversation, "ls").stop_reason, "completed");
  EXPECT_TRUE(rig.provider->requests()[0].tools.empty());
  auto results = rig.of_kind(gateway_rpc::TurnEventKind::tool_result);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].is_error);
  EXPECT_NE(results[0].output.find("insecure_process_tier"), std::string::npos);
  auto notices = rig.of_kind(gateway_rpc::TurnEventKind::notice);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].code, tools::tool_error::kDisabled);
}

}  // namespace
}  // namespace oxydra::runtime
