#include "oxydra/types/message.h"

#include "oxydra/types/frame.h"

namespace oxydra {

Result<Message> parse_message(std::string_view frame_payload) {
  nlohmann::json doc = nlohmann::json::parse(frame_payload, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(ErrorCode::invalid_frame, "frame payload is not valid JSON");
  if (!doc.is_object()) return fail(ErrorCode::invalid_frame, "frame payload is not a JSON object");
  auto op = doc.find("op");
  if (op == doc.end() || !op->is_string() || op->get_ref<const std::string&>().empty()) {
    return fail(ErrorCode::invalid_frame, "message has no string `op`");
  }
  Message message;
  message.op = op->get<std::string>();
  auto payload = doc.find("payload");
  if (payload != doc.end() && !payload->is_null()) {
    if (!payload->is_object())
      return fail(ErrorCode::invalid_frame, "`payload` is not a JSON object");
    message.payload = std::move(*payload);
  }
  return message;
}

std::string serialize_message(std::string_view op, const nlohmann::json& payload) {
  nlohmann::json doc = nlohmann::json::object();
  doc["op"] = op;
  doc["payload"] = payload;
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string encode_message(std::string_view op, const nlohmann::json& payload) {
  return encode_frame(serialize_message(op, payload));
}

nlohmann::json error_payload(const std::optional<std::string>& request_id, ErrorCode code,
                             std::string_view message) {
  nlohmann::json payload = nlohmann::json::object();
  payload["request_id"] = request_id ? nlohmann::json(*request_id) : nlohmann::json(nullptr);
  payload["code"] = to_string(code);
  payload["message"] = message;
  return payload;
}

std::optional<std::string> request_id_of(const nlohmann::json& payload) {
  auto it = payload.find("request_id");
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace oxydra
