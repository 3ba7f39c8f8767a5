#include "oxydra/testlib/llm_scripts.h"

namespace oxydra::testlib {
namespace {

using nlohmann::json;

std::vector<std::string> pieces(std::string_view text, std::size_t size) {
  std::vector<std::string> out;
  if (size == 0) size = 1;
  for (std::size_t at = 0; at < text.size(); at += size)
    out.emplace_back(text.substr(at, size));
  return out;
}

std::string openai_chunk_with(const json& choices, const json& usage, std::string_view model) {
  json chunk = {{"id", "chatcmpl-fake123"},
                {"object", "chat.completion.chunk"},
                {"created", 1700000000},
                {"model", model},
                {"system_fingerprint", "fp_fake"},
                {"choices", choices},
                {"usage", usage}};
  return sse_data(chunk.dump());
}

const char* openai_finish_reason(const ScriptedTurn& turn) {
  return turn.tool_calls.empty() ? "stop" : "tool_calls";
}

const char* anthropic_stop_reason(const ScriptedTurn& turn) {
  return turn.tool_calls.empty() ? "end_turn" : "tool_use";
}

}  // namespace

std::string sse_data(std::string_view payload) {
  return "data: " + std::string(payload) + "\n\n";
}

std::string sse_event(std::string_view event, std::string_view payload) {
  return "event: " + std::string(event) + "\ndata: " + std::string(payload) + "\n\n";
}

std::string openai_chunk(const json& delta, const char* finish_reason, std::string_view model) {
  json choice = {{"index", 0},
                 {"delta", delta},
                 {"logprobs", nullptr},
                 {"finish_reason", finish_reason ? json(finish_reason) : json(nullptr)}};
  return openai_chunk_with(json::array({choice}), nullptr, model);
}

std::string openai_usage_chunk(std::int64_t prompt_tokens, std::int64_t completion_tokens) {
  json usage = {{"prompt_tokens", prompt_tokens},
                {"completion_tokens", completion_tokens},
                {"total_tokens", prompt_tokens + completion_tokens}};
  return openai_chunk_with(json::array(), usage, "fake-model");
}

std::string openai_done() {
  return "data: [DONE]\n\n";
}

ScriptedResponse sse_stream(std::vector<std::string> chunks) {
  ScriptedResponse response;
  response.headers = {{"Content-Type", "text/event-stream; charset=utf-8"},
                      {"Cache-Control", "no-cache"}};
  response.chunks = std::move(chunks);
  return response;
}

ScriptedResponse json_reply(int status, std::string body) {
  ScriptedResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json"}};
  response.chunks = {std::move(body)};
  response.framing = ScriptedResponse::Framing::content_length;
  return response;
}

ScriptedResponse openai_stream(const ScriptedTurn& turn) {
  std::vector<std::string> chunks;
  chunks.push_back(openai_chunk({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}},
                                nullptr, turn.model));
  for (const std::string& piece : pieces(turn.text, turn.fragment_bytes))
    chunks.push_back(openai_chunk({{"content", piece}}, nullptr, turn.model));
  for (std::size_t i = 0; i < turn.tool_calls.size(); ++i) {
    const ScriptedToolCall& call = turn.tool_calls[i];
    json start = {{"index", i},
                  {"id", call.id},
                  {"type", "function"},
                  {"function", {{"name", call.name}, {"arguments", ""}}}};
    chunks.push_back(openai_chunk({{"tool_calls", json::array({start})}}, nullptr, turn.model));
    for (const std::string& piece : pieces(call.arguments, turn.fragment_bytes)) {
      json fragment = {{"index", i}, {"function", {{"arguments", piece}}}};
      chunks.push_back(
          openai_chunk({{"tool_calls", json::array({fragment})}}, nullptr, turn.model));
    }
  }
  chunks.push_back(openai_chunk(json::object(), openai_finish_reason(turn), turn.model));
  chunks.push_back(openai_usage_chunk(turn.input_tokens, turn.output_tokens));
  chunks.push_back(openai_done());
  return sse_stream(std::move(chunks));
}

ScriptedResponse openai_json(const ScriptedTurn& turn) {
  json message = {{"role", "assistant"},
                  {"content", turn.text.empty() ? json(nullptr) : json(turn.text)},
                  {"refusal", nullptr}};
  if (!turn.tool_calls.empty()) {
    json calls = json::array();
    for (const ScriptedToolCall& call : turn.tool_calls)
      calls.push_back({{"id", call.id},
                       {"type", "function"},
                       {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
    message["tool_calls"] = std::move(calls);
  }
  json body = {{"id", "chatcmpl-fake123"},
               {"object", "chat.completion"},
               {"created", 1700000000},
               {"model", turn.model},
               {"choices", json::array({{{"index", 0},
                                         {"message", message},
                                         {"logprobs", nullptr},
                                         {"finish_reason", openai_finish_reason(turn)}}})},
               {"usage",
                {{"prompt_tokens", turn.input_tokens},
                 {"completion_tokens", turn.output_tokens},
                 {"total_tokens", turn.input_tokens + turn.output_tokens}}}};
  return json_reply(200, body.dump());
}

ScriptedResponse openai_error(int status, std::string_view message,
                              std::optional<int> retry_after_seconds) {
  json body = {{"error",
                {{"message", message},
                 {"type", status == 429 ? "rate_limit_exceeded" : "invalid_request_error"},
                 {"param", nullptr},
                 {"code", nullptr}}}};
  ScriptedResponse response = json_reply(status, body.dump());
  if (retry_after_seconds)
    response.headers.emplace_back("Retry-After", std::to_string(*retry_after_seconds));
  return response;
}

ScriptedResponse anthropic_stream(const ScriptedTurn& turn) {
  std::vector<std::string> chunks;
  json start = {{"type", "message_start"},
                {"message",
                 {{"id", "msg_fake123"},
                  {"type", "message"},
                  {"role", "assistant"},
                  {"content", json::array()},
                  {"model", turn.model},
                  {"stop_reason", nullptr},
                  {"stop_sequence", nullptr},
                  {"usage", {{"input_tokens", turn.input_tokens}, {"output_tokens", 1}}}}}};
  chunks.push_back(sse_event("message_start", start.dump()));
  int block = 0;
  if (!turn.text.empty()) {
    chunks.push_back(
        sse_event("content_block_start", json{{"type", "content_block_start"},
                                              {"index", block},
                                              {"content_block", {{"type", "text"}, {"text", ""}}}}
                                             .dump()));
    chunks.push_back(sse_event("ping", R"({"type": "ping"})"));
    for (const std::string& piece : pieces(turn.text, turn.fragment_bytes))
      chunks.push_back(sse_event("content_block_delta",
                                 json{{"type", "content_block_delta"},
                                      {"index", block},
                                      {"delta", {{"type", "text_delta"}, {"text", piece}}}}
                                     .dump()));
    chunks.push_back(sse_event("content_block_stop",
                               json{{"type", "content_block_stop"}, {"index", block}}.dump()));
    ++block;
  }
  for (const ScriptedToolCall& call : turn.tool_calls) {
    json tool_block = {
        {"type", "tool_use"}, {"id", call.id}, {"name", call.name}, {"input", json::object()}};
    chunks.push_back(sse_event(
        "content_block_start",
        json{{"type", "content_block_start"}, {"index", block}, {"content_block", tool_block}}
            .dump()));
    std::vector<std::string> fragments = pieces(call.arguments, turn.fragment_bytes);
    fragments.insert(fragments.begin(), "");  // the API opens with an empty partial_json
    for (const std::string& piece : fragments)
      chunks.push_back(
          sse_event("content_block_delta",
                    json{{"type", "content_block_delta"},
                         {"index", block},
                         {"delta", {{"type", "input_json_delta"}, {"partial_json", piece}}}}
                        .dump()));
    chunks.push_back(sse_event("content_block_stop",
                               json{{"type", "content_block_stop"}, {"index", block}}.dump()));
    ++block;
  }
  chunks.push_back(sse_event(
      "message_delta",
      json{{"type", "message_delta"},
           {"delta", {{"stop_reason", anthropic_stop_reason(turn)}, {"stop_sequence", nullptr}}},
           {"usage", {{"output_tokens", turn.output_tokens}}}}
          .dump()));
  chunks.push_back(sse_event("message_stop", R"({"type":"message_stop"})"));
  return sse_stream(std::move(chunks));
}

ScriptedResponse anthropic_json(const ScriptedTurn& turn) {
  json content = json::array();
  if (!turn.text.empty()) content.push_back({{"type", "text"}, {"text", turn.text}});
  for (const ScriptedToolCall& call : turn.tool_calls) {
    json input = json::parse(call.arguments, nullptr, false);
    content.push_back({{"type", "tool_use"},
                       {"id", call.id},
                       {"name", call.name},
                       {"input", input.is_discarded() ? json::object() : input}});
  }
  json body = {
      {"id", "msg_fake123"},
      {"type", "message"},
      {"role", "assistant"},
      {"model", turn.model},
      {"content", content},
      {"stop_reason", anthropic_stop_reason(turn)},
      {"stop_sequence", nullptr},
      {"usage", {{"input_tokens", turn.input_tokens}, {"output_tokens", turn.output_tokens}}}};
  return json_reply(200, body.dump());
}

ScriptedResponse anthropic_error(int status, std::string_view type, std::string_view message) {
  json body = {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
  return json_reply(status, body.dump());
}

}  // namespace oxydra::testlib
