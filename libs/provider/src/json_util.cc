#include "json_util.h"

namespace oxydra::provider {

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json* object_member(const json& object, std::string_view key) {
  const json* value = member(object, key);
  return value && value->is_object() ? value : nullptr;
}

const json* array_member(const json& object, std::string_view key) {
  const json* value = member(object, key);
  return value && value->is_array() ? value : nullptr;
}

std::string string_member(const json& object, std::string_view key) {
  const json* value = member(object, key);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

std::int64_t int_member(const json& object, std::string_view key, std::int64_t fallback) {
  const json* value = member(object, key);
  if (!value || !value->is_number()) return fallback;
  if (value->is_number_float()) return static_cast<std::int64_t>(value->get<double>());
  return value->get<std::int64_t>();
}

Result<json> parse_object(std::string_view text, std::string_view what) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (text.empty()) return fail(ErrorCode::invalid_response, "empty " + std::string(what));
  if (value.is_discarded() || !value.is_object())
    return fail(ErrorCode::invalid_response,
                "malformed " + std::string(what) + ": " + one_line(text, 120));
  return value;
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string one_line(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    if (out.size() >= max) {
      out += "...";
      break;
    }
    out.push_back(c);
  }
  return out;
}

Result<json> tool_schema(const ToolSpec& tool) {
  if (tool.input_schema.empty()) return json{{"type", "object"}, {"properties", json::object()}};
  json schema = json::parse(tool.input_schema, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded() || !schema.is_object())
    return fail(ErrorCode::invalid_request,
                "tool " + tool.name + ": input schema is not a JSON object");
  return schema;
}

std::string embedded_error(const json& object) {
  const json* error = member(object, "error");
  if (!error) return {};
  if (error->is_string()) return one_line(error->get<std::string>());
  if (!error->is_object()) return {};
  std::string message = string_member(*error, "message");
  if (message.empty()) message = dump(*error);
  return one_line(message);
}

std::string api_error_message(std::string_view body) {
  const json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!value.is_discarded()) {
    std::string message = embedded_error(value);
    if (!message.empty()) return message;
    // Some servers (e.g. older Ollama) answer {"message": "..."} or {"detail": "..."}.
    for (const char* key : {"message", "detail"}) {
      message = string_member(value, key);
      if (!message.empty()) return one_line(message);
    }
  }
  return one_line(body);
}

}  // namespace oxydra::provider
