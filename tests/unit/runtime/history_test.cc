#include "oxydra/runtime/history.h"

#include <gtest/gtest.h>

namespace oxydra::runtime {
namespace {

using memory::MessageStatus;
using memory::StoredMessage;

StoredMessage row(Role role, std::string content, std::string tool_calls = {},
                  std::string tool_call_id = {}, MessageStatus status = MessageStatus::complete) {
  StoredMessage m;
  m.role = role;
  m.content = std::move(content);
  m.tool_calls = std::move(tool_calls);
  m.tool_call_id = std::move(tool_call_id);
  m.status = status;
  return m;
}

std::string two_calls() {
  return encode_tool_calls(
      {{"c1", "shell_exec", R"({"command":"ls"})"}, {"c2", "file_read", R"({"path":"a"})"}});
}

TEST(ToolCallCodec, RoundTripsCallsWithRawArguments) {
  std::vector<provider::ToolCall> calls{{"c1", "shell_exec", R"({"command":"ls"})"},
                                        {"c2", "x", "not json {"}};
  auto decoded = decode_tool_calls(encode_tool_calls(calls));
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_EQ(decoded->size(), 2u);
  EXPECT_EQ((*decoded)[0].arguments, R"({"command":"ls"})");
  EXPECT_EQ((*decoded)[1].arguments, "not json {");
  EXPECT_EQ(encode_tool_calls({}), "");
  EXPECT_TRUE(decode_tool_calls("")->empty());
}

TEST(ToolCallCodec, RefusesOtherShapes) {
  EXPECT_EQ(decode_tool_calls("{}").error().code, ErrorCode::invalid_history);
  EXPECT_EQ(decode_tool_calls(R"([{"name":"x"}])").error().code, ErrorCode::invalid_history);
}

TEST(RestoreHistory, KeepsACompleteConversation) {
  auto restored =
      restore_history({row(Role::user, "hi"), row(Role::assistant, "", two_calls()),
                       row(Role::tool, "out1", {}, "c1"), row(Role::tool, "out2", {}, "c2"),
                       row(Role::assistant, "done")});
  ASSERT_EQ(restored.messages.size(), 5u);
  EXPECT_EQ(restored.messages[1].tool_calls.size(), 2u);
  EXPECT_EQ(restored.messages[3].tool_call_id, "c2");
  EXPECT_EQ(restored.interrupted_calls, 0u);
  EXPECT_EQ(restored.dropped_in_flight, 0u);
}

TEST(RestoreHistory, DropsInFlightRows) {
  auto restored = restore_history({row(Role::user, "hi"), row(Role::assistant, "half an ans", {},
                                                              {}, MessageStatus::in_flight)});
  ASSERT_EQ(restored.messages.size(), 1u);
  EXPECT_EQ(restored.dropped_in_flight, 1u);
}

TEST(RestoreHistory, AnswersACallWhoseResultNeverArrived) {
  auto restored = restore_history({row(Role::user, "hi"), row(Role::assistant, "", two_calls()),
                                   row(Role::tool, "out1", {}, "c1")});
  ASSERT_EQ(restored.messages.size(), 4u);
  const auto& repaired = restored.messages[3];
  EXPECT_EQ(repaired.role, Role::tool);
  EXPECT_EQ(repaired.tool_call_id, "c2");
  EXPECT_TRUE(repaired.is_error);
  EXPECT_EQ(repaired.text, kInterruptedToolResult);
  EXPECT_EQ(restored.interrupted_calls, 1u);
}

TEST(RestoreHistory, RepairsBeforeTheNextUserMessage) {
  auto restored = restore_history({row(Role::user, "hi"), row(Role::assistant, "", two_calls()),
                                   row(Role::user, "again"), row(Role::assistant, "ok")});
  ASSERT_EQ(restored.messages.size(), 6u);
  EXPECT_EQ(restored.messages[2].tool_call_id, "c1");
  EXPECT_EQ(restored.messages[3].tool_call_id, "c2");
  EXPECT_EQ(restored.messages[4].text, "again");
  EXPECT_EQ(restored.interrupted_calls, 2u);
}

TEST(RestoreHistory, DropsResultsThatAnswerNoCall) {
  auto restored = restore_history(
      {row(Role::user, "hi"), row(Role::tool, "stray", {}, "zz"), row(Role::assistant, "ok")});
  ASSERT_EQ(restored.messages.size(), 2u);
  EXPECT_EQ(restored.dropped_orphans, 1u);
}

TEST(RestoreHistory, AnInFlightAssistantDropsAndItsLaterResultsToo) {
  // A crash after the model streamed calls but before they were saved: only
  // the in_flight row exists, so there is nothing to answer.
  auto restored = restore_history(
      {row(Role::user, "hi"), row(Role::assistant, "", {}, {}, MessageStatus::in_flight)});
  EXPECT_EQ(restored.messages.size(), 1u);
}

}  // namespace
}  // namespace oxydra::runtime
