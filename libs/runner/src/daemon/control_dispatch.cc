#include "daemon/control_dispatch.h"

#include "oxydra/types/frame.h"

namespace oxydra::runner {

namespace {

using namespace control_rpc;

std::string encode(std::string_view op, const nlohmann::json& payload) {
  return encode_reply(op, payload);
}

ControlReply logs_reply(ControlHandler& handler, const nlohmann::json& payload) {
  auto request = parse_logs_request(payload);
  if (!request) {
    return {error_frame(request_id_of(payload), request.error().code, request.error().message)};
  }
  bool truncated = false;
  auto reply = handler.logs(*request, truncated);
  if (!reply) {
    return {error_frame(request->request_id, reply.error().code, reply.error().message)};
  }
  nlohmann::json body = to_json(*reply);
  body["truncated"] = truncated;
  std::string frame = encode(kOpLogs, body);
  // Escaping can make the estimate short: drop the oldest half until it fits.
  while (frame.size() > kControlMaxResponseFrame && !reply->entries.empty()) {
    reply->entries.erase(reply->entries.begin(),
                         reply->entries.begin() + (reply->entries.size() + 1) / 2);
    body = to_json(*reply);
    body["truncated"] = true;
    frame = encode(kOpLogs, body);
  }
  return {std::move(frame)};
}

}  // namespace

// nlohmann's default dump throws on invalid UTF-8; log text is sanitized, but
// a reply must never take the runner down.
std::string encode_reply(std::string_view op, const nlohmann::json& payload) {
  nlohmann::json message{{"op", op}, {"payload", payload}};
  return encode_frame(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string error_frame(const std::optional<std::string>& request_id, ErrorCode code,
                        std::string_view message) {
  return encode("error", error_payload(request_id, code, message));
}

ControlReply dispatch(ControlHandler& handler, const Message& request) {
  const auto& payload = request.payload;
  if (request.op == kOpHealthCheck) {
    auto parsed = parse_health_check_request(payload);
    if (!parsed)
      return {
          error_frame(request_id_of(payload), ErrorCode::invalid_request, parsed.error().message)};
    return {encode(kOpHealthStatus, handler.health(parsed->request_id))};
  }
  if (request.op == kOpShutdownUser) {
    auto parsed = parse_shutdown_user_request(payload);
    if (!parsed)
      return {
          error_frame(request_id_of(payload), ErrorCode::invalid_request, parsed.error().message)};
    if (parsed->user_id != handler.user_id()) {
      return {
          error_frame(parsed->request_id, ErrorCode::unknown_user,
                      "this runner serves user " + handler.user_id() + ", not " + parsed->user_id)};
    }
    const bool already = handler.already_stopping();
    ShutdownStatus status{parsed->request_id, parsed->user_id, already};
    return {encode(kOpShutdownStatus, to_json(status)), !already};
  }
  if (request.op == kOpLogs) return logs_reply(handler, payload);
  return {error_frame(request_id_of(payload), ErrorCode::unknown_op,
                      "unknown op \"" + request.op +
                          "\" (runner control knows health_check, "
                          "shutdown_user, logs, agent_stats)")};
}

}  // namespace oxydra::runner
