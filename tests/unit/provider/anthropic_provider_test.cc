#include <gtest/gtest.h>

#include "provider_test_support.h"

namespace oxydra::provider::test {
namespace {

using testlib::ScriptedTurn;

TEST(AnthropicProvider, StreamsTextAndToolUseWithInputJsonDeltas) {
  testlib::FakeLlmServer server;
  ScriptedTurn turn;
  turn.text = "I'll check the directory.";
  turn.tool_calls = {{"toolu_01A", "shell_exec", R"({"command":"ls","timeout_secs":10})"}};
  turn.fragment_bytes = 6;
  turn.input_tokens = 410;
  turn.output_tokens = 66;
  server.enqueue(testlib::anthropic_stream(turn));

  auto provider = provider_for(fake_settings(server, ApiKind::anthropic));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, turn.text);
  EXPECT_EQ(log.text(), turn.text);
  ASSERT_EQ(response->tool_calls.size(), 1u);
  EXPECT_EQ(response->tool_calls[0].id, "toolu_01A");
  EXPECT_EQ(response->tool_calls[0].name, "shell_exec");
  EXPECT_EQ(response->tool_calls[0].arguments, turn.tool_calls[0].arguments);
  EXPECT_EQ(response->stop_reason, StopReason::tool_use);
  EXPECT_EQ(response->usage.input_tokens, 410);
  EXPECT_EQ(response->usage.output_tokens, 66);
  EXPECT_EQ(log.count(ChatEvent::Kind::tool_call_start), 1u);
  EXPECT_EQ(log.events.back().kind, ChatEvent::Kind::done);
}

TEST(AnthropicProvider, NonStreamingMessage) {
  testlib::FakeLlmServer server;
  ScriptedTurn turn;
  turn.text = "Done.";
  turn.tool_calls = {{"toolu_2", "file_read", R"({"path":"a.txt"})"}};
  server.enqueue(testlib::anthropic_json(turn));
  auto provider = provider_for(fake_settings(server, ApiKind::anthropic));
  auto response = provider->chat(simple_request(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "Done.");
  ASSERT_EQ(response->tool_calls.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(response->tool_calls[0].arguments)["path"], "a.txt");
  EXPECT_EQ(response->stop_reason, StopReason::tool_use);
  EXPECT_EQ(response->usage.output_tokens, 7);
}

TEST(AnthropicProvider, RequestUsesMessagesApiShapeAndHeaders) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::anthropic_stream(ScriptedTurn{"ok", {}, 1, 1, 5, "m"}));
  auto provider = provider_for(fake_settings(server, ApiKind::anthropic));

  ChatRequest request;
  request.messages = {
      ChatMessage::system("Be careful."),
      ChatMessage::user("what is here?"),
      ChatMessage::assistant("Looking.", {{"toolu_1", "shell_exec", R"({"command":"ls"})"},
                                          {"toolu_2", "file_read", R"({"path":"x"})"}}),
      ChatMessage::tool_result("toolu_1", "a.txt"),
      ChatMessage::tool_result("toolu_2", "no such file", /*is_error=*/true),
  };
  request.tools = {{"shell_exec", "Run a command", R"({"type":"object","properties":{}})"}};
  EventLog log;
  auto response = provider->stream_chat(request, log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;

  const testlib::RecordedRequest recorded = server.requests().at(0);
  EXPECT_EQ(recorded.path, "/v1/messages");
  EXPECT_EQ(recorded.header("x-api-key"), kApiKey);
  EXPECT_EQ(recorded.header("anthropic-version"), "2023-06-01");
  EXPECT_FALSE(recorded.has_header("authorization"));

  const nlohmann::json body = recorded.json();
  EXPECT_EQ(body["model"], "test-model");
  EXPECT_EQ(body["max_tokens"], 256);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["system"], "Be careful.");
  const nlohmann::json expected_messages = nlohmann::json::parse(R"([
    {"role": "user", "content": [{"type": "text", "text": "what is here?"}]},
    {"role": "assistant", "content": [
      {"type": "text", "text": "Looking."},
      {"type": "tool_use", "id": "toolu_1", "name": "shell_exec", "input": {"command": "ls"}},
      {"type": "tool_use", "id": "toolu_2", "name": "file_read", "input": {"path": "x"}}]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_1", "content": "a.txt"},
      {"type": "tool_result", "tool_use_id": "toolu_2", "content": "no such file", "is_error": true}]}
  ])");
  EXPECT_EQ(body["messages"], expected_messages);
  ASSERT_EQ(body["tools"].size(), 1u);
  EXPECT_EQ(body["tools"][0]["name"], "shell_exec");
  EXPECT_EQ(body["tools"][0]["input_schema"]["type"], "object");
  EXPECT_FALSE(body["tools"][0].contains("type"));
}

TEST(AnthropicProvider, ErrorEventMidStreamIsReported) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::sse_stream(
      {testlib::sse_event("message_start",
                          R"({"type":"message_start","message":{"usage":{"input_tokens":3}}})"),
       testlib::sse_event(
           "content_block_delta",
           R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})"),
       testlib::sse_event(
           "error",
           R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}})")}));
  auto provider = provider_for(fake_settings(server, ApiKind::anthropic));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::provider_error);
  EXPECT_EQ(
      response.error().message,
      "POST " + server.base_url() + "/v1/messages: invalid_request_error: prompt is too long");
  EXPECT_EQ(log.text(), "Hi");
}

TEST(AnthropicProvider, HttpErrorCarriesTheApiMessage) {
  testlib::FakeLlmServer server;
  server.enqueue(
      testlib::anthropic_error(400, "invalid_request_error", "messages: roles must alternate"));
  auto provider = provider_for(fake_settings(server, ApiKind::anthropic));
  auto response = provider->chat(simple_request(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::http_error);
  EXPECT_EQ(response.error().message,
            "POST " + server.base_url() + "/v1/messages: HTTP 400: messages: roles must alternate");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(AnthropicProvider, OverloadedBeforeAnyOutputIsRetried) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::sse_stream(
      {testlib::sse_event("message_start",
                          R"({"type":"message_start","message":{"usage":{"input_tokens":3}}})"),
       testlib::sse_event(
           "error",
           R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")}));
  server.enqueue(testlib::anthropic_stream(ScriptedTurn{"second try", {}, 1, 1, 5, "m"}));
  auto provider = provider_for(fake_settings(server, ApiKind::anthropic));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "second try");
  EXPECT_EQ(server.request_count(), 2u);
}

}  // namespace
}  // namespace oxydra::provider::test
