#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"

namespace oxydra {

// The one message shape of every channel: {"op": "...", "payload": {...}}.
struct Message {
  std::string op;
  nlohmann::json payload = nlohmann::json::object();
};

// Parses one frame payload. Errors carry code `invalid_frame` (not JSON, not an
// object, `op` missing or not a string, `payload` not an object).
Result<Message> parse_message(std::string_view frame_payload);

// Serializes to compact JSON (no framing).
std::string serialize_message(std::string_view op, const nlohmann::json& payload);

// Serializes and frames in one step, ready to write to a socket.
std::string encode_message(std::string_view op, const nlohmann::json& payload);

// The `error` message payload; a missing request id is sent as null.
nlohmann::json error_payload(const std::optional<std::string>& request_id, ErrorCode code,
                             std::string_view message);

// The request id of a payload if it has a string one.
std::optional<std::string> request_id_of(const nlohmann::json& payload);

}  // namespace oxydra
