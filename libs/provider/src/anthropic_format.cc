// Anthropic messages API: system prompt at top level, content blocks, tool
// results as user `tool_result` blocks.

#include "api_format.h"
#include "json_util.h"

namespace oxydra::provider {

StopReason anthropic_stop_reason(std::string_view stop_reason) {
  if (stop_reason == "end_turn" || stop_reason == "stop_sequence") return StopReason::end_turn;
  if (stop_reason == "tool_use") return StopReason::tool_use;
  if (stop_reason == "max_tokens") return StopReason::max_tokens;
  if (stop_reason == "refusal") return StopReason::content_filter;
  return StopReason::other;
}

namespace {

json text_block(const std::string& text) {
  return {{"type", "text"}, {"text", text}};
}

// The API takes `input` as an object; arguments the model garbled go back as
// {} and the tool's error result tells the model what was wrong.
json tool_input(const std::string& arguments) {
  json input = json::parse(arguments, nullptr, /*allow_exceptions=*/false);
  return !input.is_discarded() && input.is_object() ? input : json::object();
}

json content_blocks(const ChatMessage& message) {
  json blocks = json::array();
  switch (message.role) {
    case Role::system:
      break;
    case Role::user:
      // Empty text blocks are rejected by the API.
      if (!message.text.empty()) blocks.push_back(text_block(message.text));
      break;
    case Role::assistant:
      if (!message.text.empty()) blocks.push_back(text_block(message.text));
      for (const ToolCall& call : message.tool_calls)
        blocks.push_back({{"type", "tool_use"},
                          {"id", call.id},
                          {"name", call.name},
                          {"input", tool_input(call.arguments)}});
      break;
    case Role::tool: {
      json block = {{"type", "tool_result"},
                    {"tool_use_id", message.tool_call_id},
                    {"content", message.text}};
      if (message.is_error) block["is_error"] = true;
      blocks.push_back(std::move(block));
      break;
    }
  }
  return blocks;
}

// Roles must alternate, and all results for one assistant turn go in the next
// user message, so consecutive messages of one API role are merged.
json encode_messages(const std::vector<ChatMessage>& messages, std::string& system) {
  json out = json::array();
  for (const ChatMessage& message : messages) {
    if (message.role == Role::system) {
      if (!system.empty()) system += "\n\n";
      system += message.text;
      continue;
    }
    json blocks = content_blocks(message);
    if (blocks.empty()) continue;
    const char* role = message.role == Role::assistant ? "assistant" : "user";
    if (!out.empty() && out.back()["role"] == role) {
      for (json& block : blocks)
        out.back()["content"].push_back(std::move(block));
    } else {
      out.push_back({{"role", role}, {"content", std::move(blocks)}});
    }
  }
  return out;
}

class AnthropicFormat final : public ApiFormat {
 public:
  std::string endpoint(std::string_view base_url) const override {
    return std::string(base_url) + "/v1/messages";
  }

  std::vector<std::string> headers(const ProviderSettings& settings) const override {
    std::vector<std::string> out{"anthropic-version: 2023-06-01"};
    if (!settings.api_key.empty()) out.push_back("x-api-key: " + settings.api_key);
    return out;
  }

  Result<std::string> encode_request(const ChatRequest& request, const ProviderSettings& settings,
                                     bool stream) const override {
    std::string system;
    json body = {{"model", request.model.empty() ? settings.model : request.model}};
    const std::int64_t max_tokens =
        request.max_tokens > 0 ? request.max_tokens : settings.max_tokens;
    body["max_tokens"] = max_tokens > 0 ? max_tokens : 4096;  // required by this API
    body["messages"] = encode_messages(request.messages, system);
    if (!system.empty()) body["system"] = system;
    if (request.temperature) body["temperature"] = *request.temperature;
    if (!request.tools.empty()) {
      json tools = json::array();
      for (const ToolSpec& tool : request.tools) {
        auto schema = tool_schema(tool);
        if (!schema) return tl::unexpected(schema.error());
        tools.push_back({{"name", tool.name},
                         {"description", tool.description},
                         {"input_schema", std::move(*schema)}});
      }
      body["tools"] = std::move(tools);
    }
    if (stream) body["stream"] = true;
    return dump(body);
  }

  Result<ChatResponse> decode_response(std::string_view body) const override {
    auto parsed = parse_object(body, "response");
    if (!parsed) return tl::unexpected(parsed.error());
    const json& root = *parsed;
    if (std::string error = embedded_error(root); !error.empty())
      return fail(ErrorCode::provider_error, error);
    const json* content = array_member(root, "content");
    if (!content) return fail(ErrorCode::invalid_response, "response has no content");

    ChatResponse response;
    for (const json& block : *content) {
      const std::string type = string_member(block, "type");
      if (type == "text") {
        response.text += string_member(block, "text");
      } else if (type == "tool_use") {
        const json* input = member(block, "input");
        response.tool_calls.push_back(ToolCall{string_member(block, "id"),
                                               string_member(block, "name"),
                                               input ? dump(*input) : std::string("{}")});
      }
    }
    response.stop_reason = anthropic_stop_reason(string_member(root, "stop_reason"));
    if (const json* usage = object_member(root, "usage")) {
      response.usage.input_tokens = int_member(*usage, "input_tokens");
      response.usage.output_tokens = int_member(*usage, "output_tokens");
    }
    return response;
  }
};

}  // namespace

std::unique_ptr<ApiFormat> make_anthropic_format() {
  return std::make_unique<AnthropicFormat>();
}

}  // namespace oxydra::provider
