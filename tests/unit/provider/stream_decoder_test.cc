#include "oxydra/provider/stream_decoder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "oxydra/testlib/llm_scripts.h"

namespace oxydra::provider {
namespace {

using nlohmann::json;

// Runs a whole scripted body through the SSE parser and a decoder.
struct Decoded {
  std::vector<ChatEvent> events;
  ChatResponse response;
  Result<void> status;
};

Decoded decode(ApiKind api, const std::vector<std::string>& chunks) {
  Decoded out;
  SseParser parser;
  auto decoder = make_stream_decoder(api);
  ResponseAssembler assembler;
  const ChatEventHandler emit = [&](const ChatEvent& event) {
    out.events.push_back(event);
    assembler.apply(event);
  };
  auto run = [&]() -> Result<void> {
    for (const std::string& chunk : chunks) {
      if (auto fed = parser.feed(chunk); !fed) return fed;
      while (auto event = parser.next())
        if (auto handled = decoder->on_event(*event, emit); !handled) return handled;
    }
    parser.finish();
    while (auto event = parser.next())
      if (auto handled = decoder->on_event(*event, emit); !handled) return handled;
    return decoder->finish(emit);
  };
  out.status = run();
  out.response = std::move(assembler).finish();
  return out;
}

TEST(OpenAiStreamDecoder, InterleavedToolCallsAreReassembledByIndex) {
  auto call = [](int index, json fields) {
    fields["index"] = index;
    return json{{"tool_calls", json::array({fields})}};
  };
  const std::vector<std::string> chunks = {
      testlib::openai_chunk({{"role", "assistant"}, {"content", nullptr}}),
      testlib::openai_chunk(call(0, {{"id", "call_a"},
                                     {"type", "function"},
                                     {"function", {{"name", "shell_exec"}, {"arguments", ""}}}})),
      testlib::openai_chunk(call(0, {{"function", {{"arguments", "{\"comm"}}}})),
      testlib::openai_chunk(
          call(1, {{"id", "call_b"},
                   {"type", "function"},
                   {"function", {{"name", "file_read"}, {"arguments", "{\"pa"}}}})),
      testlib::openai_chunk(call(0, {{"function", {{"arguments", "and\":\"ls\"}"}}}})),
      testlib::openai_chunk(call(1, {{"function", {{"arguments", "th\":\"a.txt\"}"}}}})),
      testlib::openai_chunk(json::object(), "tool_calls"),
      testlib::openai_usage_chunk(30, 9),
      testlib::openai_done(),
  };
  Decoded decoded = decode(ApiKind::openai_chat, chunks);
  ASSERT_TRUE(decoded.status) << decoded.status.error().message;
  ASSERT_EQ(decoded.response.tool_calls.size(), 2u);
  EXPECT_EQ(decoded.response.tool_calls[0].id, "call_a");
  EXPECT_EQ(decoded.response.tool_calls[0].name, "shell_exec");
  EXPECT_EQ(decoded.response.tool_calls[0].arguments, R"({"command":"ls"})");
  EXPECT_EQ(decoded.response.tool_calls[1].id, "call_b");
  EXPECT_EQ(decoded.response.tool_calls[1].arguments, R"({"path":"a.txt"})");
  EXPECT_EQ(decoded.response.stop_reason, StopReason::tool_use);
  EXPECT_EQ(decoded.response.usage.input_tokens, 30);
  EXPECT_EQ(decoded.response.usage.output_tokens, 9);
  ASSERT_FALSE(decoded.events.empty());
  EXPECT_EQ(decoded.events.back().kind, ChatEvent::Kind::done);
}

TEST(OpenAiStreamDecoder, StreamWithoutDoneOrFinishReasonIsIncomplete) {
  Decoded decoded = decode(ApiKind::openai_chat, {testlib::openai_chunk({{"content", "Hel"}})});
  ASSERT_FALSE(decoded.status);
  EXPECT_EQ(decoded.status.error().code, ErrorCode::invalid_response);
  EXPECT_EQ(decoded.status.error().message, "stream ended before [DONE]");
}

TEST(OpenAiStreamDecoder, FinishReasonWithoutDoneIsAccepted) {
  Decoded decoded = decode(ApiKind::openai_chat, {testlib::openai_chunk({{"content", "Hi"}}),
                                                  testlib::openai_chunk({}, "length")});
  ASSERT_TRUE(decoded.status);
  EXPECT_EQ(decoded.response.text, "Hi");
  EXPECT_EQ(decoded.response.stop_reason, StopReason::max_tokens);
}

TEST(OpenAiStreamDecoder, MalformedJsonAndMidStreamErrorsAreReported) {
  Decoded bad = decode(ApiKind::openai_chat, {"data: {\"choices\": [\n\n"});
  ASSERT_FALSE(bad.status);
  EXPECT_EQ(bad.status.error().code, ErrorCode::invalid_response);
  EXPECT_NE(bad.status.error().message.find("malformed stream event"), std::string::npos);

  Decoded error =
      decode(ApiKind::openai_chat,
             {"data: {\"error\":{\"message\":\"upstream overloaded\",\"code\":502}}\n\n"});
  ASSERT_FALSE(error.status);
  EXPECT_EQ(error.status.error().code, ErrorCode::provider_error);
  EXPECT_EQ(error.status.error().message, "upstream overloaded");
}

TEST(OpenAiStreamDecoder, ToolCallsWithoutIndexOrIdStillAssemble) {
  // Some servers send whole calls in one delta and no ids.
  json calls = json::array({{{"function", {{"name", "a"}, {"arguments", "{}"}}}},
                            {{"function", {{"name", "b"}, {"arguments", {{"x", 1}}}}}}});
  Decoded decoded =
      decode(ApiKind::openai_chat,
             {testlib::openai_chunk({{"tool_calls", calls}}, "stop"), testlib::openai_done()});
  ASSERT_TRUE(decoded.status);
  ASSERT_EQ(decoded.response.tool_calls.size(), 2u);
  EXPECT_EQ(decoded.response.tool_calls[0].id, "call_0");
  EXPECT_EQ(decoded.response.tool_calls[1].name, "b");
  EXPECT_EQ(decoded.response.tool_calls[1].arguments, R"({"x":1})");
  EXPECT_EQ(decoded.response.stop_reason, StopReason::tool_use);  // "stop" with calls
}

TEST(AnthropicStreamDecoder, TextThenToolUseWithInputJsonDeltas) {
  testlib::ScriptedTurn turn;
  turn.text = "Let me look.";
  turn.tool_calls = {{"toolu_01", "shell_exec", R"({"command":"ls -la"})"}};
  turn.input_tokens = 40;
  turn.output_tokens = 17;
  Decoded decoded = decode(ApiKind::anthropic, testlib::anthropic_stream(turn).chunks);
  ASSERT_TRUE(decoded.status) << decoded.status.error().message;
  EXPECT_EQ(decoded.response.text, "Let me look.");
  ASSERT_EQ(decoded.response.tool_calls.size(), 1u);
  EXPECT_EQ(decoded.response.tool_calls[0].id, "toolu_01");
  EXPECT_EQ(decoded.response.tool_calls[0].arguments, R"({"command":"ls -la"})");
  EXPECT_EQ(decoded.response.stop_reason, StopReason::tool_use);
  EXPECT_EQ(decoded.response.usage.input_tokens, 40);
  EXPECT_EQ(decoded.response.usage.output_tokens, 17);
  // Tool calls are numbered among themselves, not by content block.
  for (const ChatEvent& event : decoded.events) {
    if (event.kind == ChatEvent::Kind::tool_call_start) {
      EXPECT_EQ(event.index, 0u);
    }
  }
  EXPECT_EQ(decoded.events.front().kind, ChatEvent::Kind::text_delta);
}

TEST(AnthropicStreamDecoder, ErrorEventsAreClassified) {
  Decoded overloaded = decode(
      ApiKind::anthropic,
      {testlib::sse_event(
          "error",
          R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")});
  ASSERT_FALSE(overloaded.status);
  EXPECT_EQ(overloaded.status.error().code, ErrorCode::provider_unavailable);
  EXPECT_EQ(overloaded.status.error().message, "overloaded_error: Overloaded");

  Decoded invalid =
      decode(ApiKind::anthropic,
             {testlib::sse_event(
                 "error",
                 R"({"type":"error","error":{"type":"invalid_request_error","message":"bad"}})")});
  ASSERT_FALSE(invalid.status);
  EXPECT_EQ(invalid.status.error().code, ErrorCode::provider_error);
}

TEST(AnthropicStreamDecoder, StreamCutBeforeMessageStopIsIncomplete) {
  testlib::ScriptedTurn turn;
  turn.text = "partial";
  auto chunks = testlib::anthropic_stream(turn).chunks;
  chunks.pop_back();
  Decoded decoded = decode(ApiKind::anthropic, chunks);
  ASSERT_FALSE(decoded.status);
  EXPECT_EQ(decoded.status.error().message, "stream ended before message_stop");
}

}  // namespace
}  // namespace oxydra::provider
