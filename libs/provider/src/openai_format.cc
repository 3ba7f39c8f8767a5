// OpenAI chat completions (also OpenRouter, Ollama, vLLM, llama.cpp servers).

#include "api_format.h"
#include "json_util.h"

namespace oxydra::provider {

StopReason openai_stop_reason(std::string_view finish_reason) {
  if (finish_reason == "stop") return StopReason::end_turn;
  if (finish_reason == "tool_calls" || finish_reason == "function_call")
    return StopReason::tool_use;
  if (finish_reason == "length") return StopReason::max_tokens;
  if (finish_reason == "content_filter") return StopReason::content_filter;
  return StopReason::other;
}

namespace {

json encode_message(const ChatMessage& message) {
  json out = {{"role", to_string(message.role)}};
  switch (message.role) {
    case Role::system:
    case Role::user:
      out["content"] = message.text;
      break;
    case Role::assistant: {
      // Content is null, not "", beside tool calls: some servers reject "".
      out["content"] =
          message.text.empty() && !message.tool_calls.empty() ? json(nullptr) : json(message.text);
      if (!message.tool_calls.empty()) {
        json calls = json::array();
        for (const ToolCall& call : message.tool_calls)
          calls.push_back({{"id", call.id},
                           {"type", "function"},
                           {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
        out["tool_calls"] = std::move(calls);
      }
      break;
    }
    case Role::tool:
      out["tool_call_id"] = message.tool_call_id;
      out["content"] = message.text;
      break;
  }
  return out;
}

class OpenAiFormat final : public ApiFormat {
 public:
  std::string endpoint(std::string_view base_url) const override {
    return std::string(base_url) + "/chat/completions";
  }

  std::vector<std::string> headers(const ProviderSettings& settings) const override {
    if (settings.api_key.empty()) return {};  // local servers (Ollama, llama.cpp) need none
    return {"Authorization: Bearer " + settings.api_key};
  }

  Result<std::string> encode_request(const ChatRequest& request, const ProviderSettings& settings,
                                     bool stream) const override {
    json body = {{"model", request.model.empty() ? settings.model : request.model}};
    json messages = json::array();
    for (const ChatMessage& message : request.messages)
      messages.push_back(encode_message(message));
    body["messages"] = std::move(messages);
    const std::int64_t max_tokens =
        request.max_tokens > 0 ? request.max_tokens : settings.max_tokens;
    if (max_tokens > 0) body["max_tokens"] = max_tokens;
    if (request.temperature) body["temperature"] = *request.temperature;
    if (!request.tools.empty()) {
      json tools = json::array();
      for (const ToolSpec& tool : request.tools) {
        auto schema = tool_schema(tool);
        if (!schema) return tl::unexpected(schema.error());
        tools.push_back({{"type", "function"},
                         {"function",
                          {{"name", tool.name},
                           {"description", tool.description},
                           {"parameters", std::move(*schema)}}}});
      }
      body["tools"] = std::move(tools);
    }
    if (stream) {
      body["stream"] = true;
      body["stream_options"] = {{"include_usage", true}};
    }
    return dump(body);
  }

  Result<ChatResponse> decode_response(std::string_view body) const override {
    auto parsed = parse_object(body, "response");
    if (!parsed) return tl::unexpected(parsed.error());
    const json& root = *parsed;
    if (std::string error = embedded_error(root); !error.empty())
      return fail(ErrorCode::provider_error, error);

    const json* choices = array_member(root, "choices");
    if (!choices || choices->empty() || !(*choices)[0].is_object())
      return fail(ErrorCode::invalid_response, "response has no choices");
    const json& choice = (*choices)[0];
    ChatResponse response;
    if (const json* message = object_member(choice, "message")) {
      response.text = string_member(*message, "content");
      if (const json* calls = array_member(*message, "tool_calls")) {
        for (const json& call : *calls) {
          const json* function = object_member(call, "function");
          if (!function) continue;
          ToolCall tool_call{string_member(call, "id"), string_member(*function, "name"), {}};
          // Arguments are a JSON string by the spec; a few servers send the object itself.
          if (const json* arguments = member(*function, "arguments"))
            tool_call.arguments =
                arguments->is_string() ? arguments->get<std::string>() : dump(*arguments);
          if (tool_call.arguments.empty()) tool_call.arguments = "{}";
          if (tool_call.id.empty())
            tool_call.id = "call_" + std::to_string(response.tool_calls.size());
          response.tool_calls.push_back(std::move(tool_call));
        }
      }
    }
    response.stop_reason = openai_stop_reason(string_member(choice, "finish_reason"));
    if (const json* usage = object_member(root, "usage")) {
      response.usage.input_tokens = int_member(*usage, "prompt_tokens");
      response.usage.output_tokens = int_member(*usage, "completion_tokens");
    }
    normalize_stop_reason(response);
    return response;
  }
};

}  // namespace

std::unique_ptr<ApiFormat> make_openai_format() {
  return std::make_unique<OpenAiFormat>();
}

}  // namespace oxydra::provider
