#include <gtest/gtest.h>

#include <deque>
#include <thread>

#include "rig.h"

namespace oxydra::runtime {
namespace {

using testing::call;
using testing::FakeReply;

// Stands in for shell_exec: answers each call with the next scripted output.
class ScriptedShell final : public tools::Tool {
 public:
  explicit ScriptedShell(std::deque<tools::ToolOutput> outputs)
      : Tool("shell_exec", "scripted",
             tools::ArgSchema({{.name = "command", .type = tools::ArgType::string}}),
             tools::SafetyTier::side_effecting),
        outputs_(std::move(outputs)) {}

 protected:
  Result<tools::ToolOutput> run(const nlohmann::json&, const tools::ToolContext&) override {
    tools::ToolOutput out = outputs_.front();
    outputs_.pop_front();
    return out;
  }

 private:
  std::deque<tools::ToolOutput> outputs_;
};

tools::ToolOutput exited(int status) {
  tools::ToolOutput out = tools::ToolOutput::success("exit code " + std::to_string(status));
  out.metadata.exit_code = status;
  return out;
}

tools::ToolOutput timed_out() {
  tools::ToolOutput out = tools::ToolOutput::failure("timed_out", "timed out after 1 s");
  out.metadata.timed_out = true;
  return out;
}

TEST(AgentCounters, CountTurnsTokensCostShellCommandsAndProviderErrors) {
  testing::Rig rig;
  rig.limits.input_price_per_mtok = 1.0;
  rig.limits.output_price_per_mtok = 2.0;
  ASSERT_TRUE(rig.registry->add(
      std::make_shared<ScriptedShell>(std::deque{exited(0), exited(2), timed_out()})));
  rig.provider->push(FakeReply{"",
                               {call("c1", "shell_exec", R"({"command":"true"})"),
                                call("c2", "shell_exec", R"({"command":"false"})"),
                                call("c3", "shell_exec", R"({"command":"sleep 9"})")},
                               {1000, 100}});
  rig.provider->push(FakeReply{"done", {}, {2000, 200}});
  rig.provider->push(FakeReply{.error = Error{ErrorCode::http_error, "500 from the provider"}});
  // Arguments the schema refuses never reach a shell: not a command.
  rig.provider->push(FakeReply{"", {call("c4", "shell_exec", R"({"command":7})")}, {0, 0}});
  rig.provider->push(FakeReply{"ok", {}, {0, 0}});

  Conversation conversation("s");
  ASSERT_EQ(rig.run(conversation, "run three").stop_reason, "completed");
  ASSERT_EQ(rig.run(conversation, "again").stop_reason, "error");
  ASSERT_EQ(rig.run(conversation, "bad args").stop_reason, "completed");

  const auto counters = rig.counters->snapshot();
  EXPECT_EQ(counters.turns, (std::map<std::string, std::uint64_t>{{"completed", 2}, {"error", 1}}));
  EXPECT_EQ(counters.provider_errors, (std::map<std::string, std::uint64_t>{{"http_error", 1}}));
  EXPECT_EQ(counters.input_tokens, 3000u);
  EXPECT_EQ(counters.output_tokens, 300u);
  EXPECT_DOUBLE_EQ(counters.cost, (3000 * 1.0 + 300 * 2.0) / 1e6);
  EXPECT_EQ(counters.shell_commands, 3u);
  EXPECT_EQ(counters.shell_command_failures, 2u);
  EXPECT_EQ(counters.shell_command_timeouts, 1u);
}

TEST(AgentCounters, ACancelledTurnIsNotAProviderError) {
  testing::Rig rig;
  rig.provider->push(FakeReply{.text = "partial", .wait_for_cancel = true});
  Conversation conversation("s");
  TurnControl control;
  std::thread canceller([&] {
    while (rig.of_kind(gateway_rpc::TurnEventKind::text_delta).empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    control.cancel();
  });
  EXPECT_EQ(rig.run(conversation, "hi", control).stop_reason, "cancelled");
  canceller.join();
  const auto counters = rig.counters->snapshot();
  EXPECT_EQ(counters.turns, (std::map<std::string, std::uint64_t>{{"cancelled", 1}}));
  EXPECT_TRUE(counters.provider_errors.empty());
}

}  // namespace
}  // namespace oxydra::runtime
