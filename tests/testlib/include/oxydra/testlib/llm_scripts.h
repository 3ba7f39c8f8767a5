#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/testlib/fake_llm_server.h"

namespace oxydra::testlib {

// Builders for FakeLlmServer scripts, written the way the real APIs send them
// (field order, `usage: null` chunks, ping events, one SSE event per chunk).

struct ScriptedToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text
};

// What the model "says" in one reply.
struct ScriptedTurn {
  std::string text;
  std::vector<ScriptedToolCall> tool_calls;
  std::int64_t input_tokens = 12;
  std::int64_t output_tokens = 7;
  std::size_t fragment_bytes = 5;  // text and arguments are streamed in pieces this long
  std::string model = "fake-model";
};

// Raw SSE framing.
std::string sse_data(std::string_view payload);                           // "data: p\n\n"
std::string sse_event(std::string_view event, std::string_view payload);  // "event: e\ndata: p\n\n"

// OpenAI chat completions.
std::string openai_chunk(const nlohmann::json& delta, const char* finish_reason = nullptr,
                         std::string_view model = "fake-model");  // one "data: {chunk}\n\n"
std::string openai_usage_chunk(std::int64_t prompt_tokens, std::int64_t completion_tokens);
std::string openai_done();  // "data: [DONE]\n\n"
ScriptedResponse openai_stream(const ScriptedTurn& turn);
ScriptedResponse openai_json(const ScriptedTurn& turn);
// {"error": {"message", "type", "code"}} with the given status.
ScriptedResponse openai_error(int status, std::string_view message,
                              std::optional<int> retry_after_seconds = std::nullopt);

// Anthropic messages.
ScriptedResponse anthropic_stream(const ScriptedTurn& turn);
ScriptedResponse anthropic_json(const ScriptedTurn& turn);
ScriptedResponse anthropic_error(int status, std::string_view type, std::string_view message);

// Any event stream, one HTTP chunk per element (for malformed or hand-made streams).
ScriptedResponse sse_stream(std::vector<std::string> chunks);
ScriptedResponse json_reply(int status, std::string body);

}  // namespace oxydra::testlib
