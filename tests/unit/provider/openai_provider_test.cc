#include <gtest/gtest.h>

#include "provider_test_support.h"

namespace oxydra::provider::test {
namespace {

using testlib::ScriptedResponse;
using testlib::ScriptedTurn;

TEST(OpenAiProvider, StreamsTextDeltasUsageAndDone) {
  testlib::FakeLlmServer server;
  ScriptedTurn turn;
  turn.text = "Hello, world! How are you?";
  turn.fragment_bytes = 3;
  turn.input_tokens = 21;
  turn.output_tokens = 9;
  server.enqueue(testlib::openai_stream(turn));

  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, turn.text);
  EXPECT_EQ(log.text(), turn.text);
  EXPECT_EQ(log.count(ChatEvent::Kind::text_delta), 9u);
  EXPECT_EQ(response->stop_reason, StopReason::end_turn);
  EXPECT_EQ(response->usage.input_tokens, 21);
  EXPECT_EQ(response->usage.output_tokens, 9);
  EXPECT_TRUE(response->tool_calls.empty());
  ASSERT_GE(log.events.size(), 2u);
  EXPECT_EQ(log.events[log.events.size() - 2].kind, ChatEvent::Kind::usage);
  EXPECT_EQ(log.events.back().kind, ChatEvent::Kind::done);
}

TEST(OpenAiProvider, ReassemblesSeveralToolCallsFragmentedOverChunks) {
  testlib::FakeLlmServer server;
  ScriptedTurn turn;
  turn.text = "Checking.";
  turn.tool_calls = {{"call_1", "shell_exec", R"({"command":"ls -la /tmp","timeout_secs":5})"},
                     {"call_2", "file_read", R"({"path":"notes/todo.md"})"}};
  turn.fragment_bytes = 4;
  server.enqueue(testlib::openai_stream(turn));

  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  ASSERT_EQ(response->tool_calls.size(), 2u);
  EXPECT_EQ(response->tool_calls[0].id, "call_1");
  EXPECT_EQ(response->tool_calls[0].name, "shell_exec");
  EXPECT_EQ(response->tool_calls[0].arguments, turn.tool_calls[0].arguments);
  EXPECT_EQ(response->tool_calls[1].id, "call_2");
  EXPECT_EQ(response->tool_calls[1].name, "file_read");
  EXPECT_EQ(response->tool_calls[1].arguments, turn.tool_calls[1].arguments);
  EXPECT_EQ(response->stop_reason, StopReason::tool_use);
  EXPECT_EQ(log.count(ChatEvent::Kind::tool_call_start), 2u);
  EXPECT_GT(log.count(ChatEvent::Kind::tool_call_delta), 10u);
}

TEST(OpenAiProvider, NonStreamingCompletion) {
  testlib::FakeLlmServer server;
  ScriptedTurn turn;
  turn.text = "Sure.";
  turn.tool_calls = {{"call_9", "file_list", R"({"path":"."})"}};
  server.enqueue(testlib::openai_json(turn));

  auto provider = provider_for(fake_settings(server));
  auto response = provider->chat(simple_request(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "Sure.");
  ASSERT_EQ(response->tool_calls.size(), 1u);
  EXPECT_EQ(response->tool_calls[0].id, "call_9");
  EXPECT_EQ(response->tool_calls[0].arguments, R"({"path":"."})");
  EXPECT_EQ(response->stop_reason, StopReason::tool_use);
  EXPECT_EQ(response->usage.input_tokens, 12);

  auto body = server.requests().at(0).json();
  EXPECT_FALSE(body.contains("stream"));
  EXPECT_EQ(server.requests()[0].header("accept"), "application/json");
}

TEST(OpenAiProvider, RequestCarriesHeadersModelMessagesAndTools) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::openai_stream(ScriptedTurn{"ok", {}, 1, 1, 5, "m"}));
  ProviderSettings settings = fake_settings(server);
  settings.extra_headers = {{"X-Title", "oxydra"}};
  auto provider = provider_for(settings);

  ChatRequest request;
  request.messages = {
      ChatMessage::system("You are terse."),
      ChatMessage::user("list files"),
      ChatMessage::assistant("", {{"call_1", "shell_exec", R"({"command":"ls"})"}}),
      ChatMessage::tool_result("call_1", "a.txt\nb.txt"),
  };
  request.tools = {
      {"shell_exec", "Run a shell command",
       R"({"type":"object","properties":{"command":{"type":"string"}},"required":["command"]})"}};
  EventLog log;
  ASSERT_TRUE(provider->stream_chat(request, log.handler(), CancelToken()));

  ASSERT_EQ(server.request_count(), 1u);
  const testlib::RecordedRequest recorded = server.requests().at(0);
  EXPECT_EQ(recorded.method, "POST");
  EXPECT_EQ(recorded.path, "/v1/chat/completions");
  EXPECT_EQ(recorded.header("authorization"), "Bearer " + kApiKey);
  EXPECT_EQ(recorded.header("content-type"), "application/json");
  EXPECT_EQ(recorded.header("accept"), "text/event-stream");
  EXPECT_EQ(recorded.header("x-title"), "oxydra");

  const nlohmann::json body = recorded.json();
  ASSERT_TRUE(body.is_object()) << recorded.body;
  EXPECT_EQ(body["model"], "test-model");
  EXPECT_EQ(body["max_tokens"], 256);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"], nlohmann::json({{"include_usage", true}}));
  const nlohmann::json expected_messages = nlohmann::json::parse(R"([
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "list files"},
    {"role": "assistant", "content": null, "tool_calls": [
      {"id": "call_1", "type": "function",
       "function": {"name": "shell_exec", "arguments": "{\"command\":\"ls\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "a.txt\nb.txt"}
  ])");
  EXPECT_EQ(body["messages"], expected_messages);
  ASSERT_EQ(body["tools"].size(), 1u);
  EXPECT_EQ(body["tools"][0]["type"], "function");
  EXPECT_EQ(body["tools"][0]["function"]["name"], "shell_exec");
  EXPECT_EQ(body["tools"][0]["function"]["description"], "Run a shell command");
  EXPECT_EQ(body["tools"][0]["function"]["parameters"]["required"][0], "command");
}

TEST(OpenAiProvider, NoAuthorizationHeaderWithoutKeyAndRequestModelOverride) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::openai_json(ScriptedTurn{"local", {}, 1, 1, 5, "llama"}));
  ProviderSettings settings = fake_settings(server);
  settings.api_key.clear();
  auto provider = provider_for(settings);
  ChatRequest request = simple_request();
  request.model = "llama3.1:8b";
  request.max_tokens = 77;
  ASSERT_TRUE(provider->chat(request, CancelToken()));
  const auto recorded = server.requests().at(0);
  EXPECT_FALSE(recorded.has_header("authorization"));
  EXPECT_EQ(recorded.json()["model"], "llama3.1:8b");
  EXPECT_EQ(recorded.json()["max_tokens"], 77);
}

TEST(OpenAiProvider, StreamWorksWithEveryHttpFraming) {
  for (auto framing :
       {ScriptedResponse::Framing::chunked, ScriptedResponse::Framing::content_length,
        ScriptedResponse::Framing::close}) {
    testlib::FakeLlmServer server;
    ScriptedResponse response =
        testlib::openai_stream(ScriptedTurn{"framed text", {}, 1, 2, 2, "m"});
    response.framing = framing;
    server.enqueue(response);
    auto provider = provider_for(fake_settings(server));
    EventLog log;
    auto result = provider->stream_chat(simple_request(), log.handler(), CancelToken());
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->text, "framed text");
  }
}

TEST(OpenAiProvider, PlainJsonAnswerToAStreamingRequestIsStillDelivered) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::openai_json(ScriptedTurn{"not streamed", {}, 3, 4, 5, "m"}));
  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "not streamed");
  EXPECT_EQ(log.text(), "not streamed");
  EXPECT_EQ(response->usage.output_tokens, 4);
  EXPECT_EQ(log.events.back().kind, ChatEvent::Kind::done);
}

TEST(OpenAiProvider, InvalidToolSchemaIsRejectedBeforeSending) {
  testlib::FakeLlmServer server;
  auto provider = provider_for(fake_settings(server));
  ChatRequest request = simple_request();
  request.tools = {{"broken", "x", "{not json"}};
  auto response = provider->chat(request, CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::invalid_request);
  EXPECT_NE(response.error().message.find("tool broken: input schema is not a JSON object"),
            std::string::npos);
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(OpenAiProvider, MakeProviderValidatesSettings) {
  ProviderSettings settings;
  settings.model = "m";
  settings.base_url = "ftp://example";
  EXPECT_FALSE(make_provider(settings));
  settings.base_url = "http://127.0.0.1:1/v1/";
  settings.model.clear();
  EXPECT_FALSE(make_provider(settings));
  settings.model = "m";
  EXPECT_TRUE(make_provider(settings));
}

}  // namespace
}  // namespace oxydra::provider::test
