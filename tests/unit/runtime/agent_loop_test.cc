#include <gtest/gtest.h>

#include <fstream>

#include "oxydra/memory/audit.h"
#include "oxydra/testlib/temp_dir.h"
#include "rig.h"

namespace oxydra::runtime {
namespace {

using gateway_rpc::TurnEventKind;
using testing::call;
using testing::FakeReply;

TEST(AgentLoop, AnswerWithoutToolsCompletesAndStreamsText) {
  testing::Rig rig;
  rig.provider->push(FakeReply{"Hello there, friend."});
  Conversation conversation("s");
  auto result = rig.run(conversation, "hi");
  EXPECT_EQ(result.stop_reason, "completed");
  EXPECT_EQ(result.text, "Hello there, friend.");
  EXPECT_EQ(result.model_calls, 1u);
  std::string streamed;
  for (const auto& e : rig.of_kind(TurnEventKind::text_delta))
    streamed += e.text;
  EXPECT_EQ(streamed, "Hello there, friend.");
  EXPECT_GT(rig.of_kind(TurnEventKind::text_delta).size(), 1u);
  ASSERT_EQ(rig.of_kind(TurnEventKind::usage).size(), 1u);
  EXPECT_EQ(result.usage.input_tokens, 10u);
  EXPECT_EQ(result.usage.output_tokens, 5u);
  EXPECT_FALSE(result.usage.cost.has_value());  // no prices configured
  const auto request = rig.provider->requests().at(0);
  EXPECT_EQ(request.messages.front().role, Role::system);
  EXPECT_EQ(request.messages.back().text, "hi");
}

TEST(AgentLoop, ToolResultGoesBackToTheModel) {
  testing::Rig rig;
  rig.add_tool("probe", tools::SafetyTier::side_effecting);
  rig.provider->push(FakeReply{"", {call("c1", "probe", R"({"x":"marker"})")}});
  rig.provider->push(FakeReply{"the probe said ok"});
  Conversation conversation("s");
  auto result = rig.run(conversation, "probe it");
  ASSERT_EQ(result.stop_reason, "completed");
  EXPECT_EQ(result.model_calls, 2u);
  EXPECT_EQ(result.tool_calls, 1u);
  EXPECT_EQ(result.usage.input_tokens, 20u);

  auto calls = rig.of_kind(TurnEventKind::tool_call);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].call_id, "c1");
  EXPECT_EQ(calls[0].arguments, nlohmann::json({{"x", "marker"}}));
  auto results = rig.of_kind(TurnEventKind::tool_result);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].is_error);
  EXPECT_NE(results[0].output.find("marker"), std::string::npos);

  ASSERT_EQ(rig.provider->calls(), 2u);
  const auto second = rig.provider->requests()[1].messages;
  ASSERT_GE(second.size(), 2u);
  EXPECT_EQ(second[second.size() - 2].tool_calls.at(0).id, "c1");
  EXPECT_EQ(second.back().role, Role::tool);
  EXPECT_EQ(second.back().tool_call_id, "c1");
  EXPECT_NE(second.back().text.find("probe ok"), std::string::npos);
  const auto specs = rig.provider->requests()[0].tools;
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].name, "probe");
  EXPECT_NE(specs[0].input_schema.find("\"x\""), std::string::npos);
}

TEST(AgentLoop, BadArgumentsAndUnknownToolsAnswerTheModelWithAnError) {
  testing::Rig rig;
  rig.add_tool("probe", tools::SafetyTier::side_effecting);
  rig.provider->push(FakeReply{"", {call("c1", "probe", R"({"x": )"), call("c2", "nope", "{}")}});
  rig.provider->push(FakeReply{"let me fix that"});
  Conversation conversation("s");
  auto result = rig.run(conversation, "go");
  ASSERT_EQ(result.stop_reason, "completed");
  auto results = rig.of_kind(TurnEventKind::tool_result);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].is_error);
  EXPECT_TRUE(results[1].is_error);
  EXPECT_NE(results[1].output.find("unknown tool"), std::string::npos);
  // The raw text the model sent is what the client sees for broken arguments.
  EXPECT_EQ(rig.of_kind(TurnEventKind::tool_call)[0].arguments, nlohmann::json(R"({"x": )"));
  const auto second = rig.provider->requests()[1].messages;
  EXPECT_TRUE(second.back().is_error);
}

TEST(AgentLoop, ProviderFailureEndsTheTurnWithAnErrorNotice) {
  testing::Rig rig;
  rig.provider->push(FakeReply{
      .text = "par", .error = Error{ErrorCode::http_error, "POST http://x/v1: HTTP 500"}});
  Conversation conversation("s");
  auto result = rig.run(conversation, "hi");
  EXPECT_EQ(result.stop_reason, "error");
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, ErrorCode::http_error);
  auto notices = rig.of_kind(TurnEventKind::notice);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].code, to_string(ErrorCode::http_error));
  EXPECT_EQ(notices[0].message, "POST http://x/v1: HTTP 500");
  // What was streamed before the failure stays in the history.
  ASSERT_EQ(conversation.messages().size(), 2u);
  EXPECT_EQ(conversation.messages()[1].text, "par");
}

TEST(AgentLoop, EveryToolCallIsAudited) {
  testlib::TempDir dir("oxy-audit");
  auto audit = memory::AuditLog::open(dir.file("audit.jsonl"), {.sync = false});
  ASSERT_TRUE(audit) << audit.error().message;
  testing::Rig rig;
  rig.audit = std::make_shared<memory::AuditLog>(std::move(*audit));
  rig.add_tool("probe", tools::SafetyTier::side_effecting);
  rig.limits.max_turns = 2;
  rig.provider->push(FakeReply{"", {call("c1", "probe", R"({"x":"a","api_key":"sk-123456"})")}});
  rig.provider->push(FakeReply{"", {call("c2", "probe", R"({"x":"b"})")}});
  Conversation conversation("sess-a");
  ASSERT_EQ(rig.run(conversation, "go").stop_reason, "max_turns");
  auto summary = memory::verify_audit_log(dir.file("audit.jsonl"));
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->lines, 2u);  // the call that ran and the one the guard refused

  std::ifstream in(dir.file("audit.jsonl"));
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  auto line1 = nlohmann::json::parse(first);
  EXPECT_EQ(line1["session_id"], "sess-a");
  EXPECT_EQ(line1["tool"], "probe");
  EXPECT_EQ(line1["arguments"]["x"], "a");
  EXPECT_EQ(first.find("sk-123456"), std::string::npos);
  auto line2 = nlohmann::json::parse(second);
  EXPECT_NE(line2["error"].get<std::string>().find("not_run"), std::string::npos);
}

}  // namespace
}  // namespace oxydra::runtime
