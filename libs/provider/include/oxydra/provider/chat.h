#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/types/role.h"

namespace oxydra::provider {

// Provider-neutral chat types. Each API client maps them to its own wire shape.

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text as the model produced it (not validated here)
};

struct ChatMessage {
  Role role = Role::user;
  std::string text;
  std::vector<ToolCall> tool_calls;  // assistant: the calls it asked for
  std::string tool_call_id;          // tool: the call this result answers
  bool is_error = false;             // tool: the result reports a failure

  static ChatMessage system(std::string text);
  static ChatMessage user(std::string text);
  static ChatMessage assistant(std::string text, std::vector<ToolCall> tool_calls = {});
  static ChatMessage tool_result(std::string tool_call_id, std::string text, bool is_error = false);
};

struct ToolSpec {
  std::string name;
  std::string description;
  std::string input_schema;  // JSON Schema text of the arguments object
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  std::vector<ToolSpec> tools;
  std::int64_t max_tokens = 0;  // 0: the provider settings' value
  std::string model;            // empty: the provider settings' model
  std::optional<double> temperature;
};

struct Usage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

enum class StopReason { end_turn, tool_use, max_tokens, content_filter, other };
std::string_view to_string(StopReason reason);

// One streamed increment. Tool-call events carry `index`, the position of the
// call within this response (calls arrive interleaved and in fragments).
struct ChatEvent {
  enum class Kind { text_delta, tool_call_start, tool_call_delta, usage, done };
  Kind kind = Kind::text_delta;
  std::string text;          // text_delta: text; tool_call_delta: an arguments fragment
  std::size_t index = 0;     // tool_call_start, tool_call_delta
  std::string tool_call_id;  // tool_call_start (may be empty; filled in the response)
  std::string tool_name;     // tool_call_start
  Usage usage;               // usage: totals so far for this response
  StopReason stop_reason = StopReason::end_turn;  // done

  static ChatEvent text_delta(std::string text);
  static ChatEvent tool_call_start(std::size_t index, std::string id, std::string name);
  static ChatEvent tool_call_delta(std::size_t index, std::string fragment);
  static ChatEvent usage_update(Usage usage);
  static ChatEvent done(StopReason reason);
};

using ChatEventHandler = std::function<void(const ChatEvent&)>;

struct ChatResponse {
  std::string text;
  std::vector<ToolCall> tool_calls;  // in index order, arguments reassembled
  StopReason stop_reason = StopReason::end_turn;
  Usage usage;
};

// Folds streamed events into the final response.
class ResponseAssembler {
 public:
  void apply(const ChatEvent& event);
  // Calls without an id get "call_<index>"; calls without arguments get "{}".
  ChatResponse finish() &&;

 private:
  ToolCall& call_at(std::size_t index);

  ChatResponse response_;
  std::vector<std::size_t> indices_;  // parallel to response_.tool_calls
};

}  // namespace oxydra::provider
