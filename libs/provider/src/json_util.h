#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "oxydra/provider/chat.h"
#include "oxydra/types/error.h"

namespace oxydra::provider {

using nlohmann::json;

// Non-throwing accessors for untrusted API payloads: a missing key or a value
// of the wrong type reads as absent.
const json* member(const json& object, std::string_view key);
const json* object_member(const json& object, std::string_view key);
const json* array_member(const json& object, std::string_view key);
std::string string_member(const json& object, std::string_view key);
std::int64_t int_member(const json& object, std::string_view key, std::int64_t fallback = 0);

// Parses an object; anything else is `invalid_response` naming `what`.
Result<json> parse_object(std::string_view text, std::string_view what);

// Compact JSON with invalid UTF-8 replaced (tool output may hold any bytes).
std::string dump(const json& value);

// A single line of at most `max` bytes, for error messages.
std::string one_line(std::string_view text, std::size_t max = 200);

// The API's own error text: "error.message" (both APIs), else the body's start.
std::string api_error_message(std::string_view body);

// A tool's argument schema as an object (empty: any object); `invalid_request` otherwise.
Result<json> tool_schema(const ToolSpec& tool);

// If `object` carries an API error ({"error": {...}} or {"type": "error"}),
// returns its message (with the error type when known).
std::string embedded_error(const json& object);

}  // namespace oxydra::provider
