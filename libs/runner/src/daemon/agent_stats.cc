#include "daemon/agent_stats.h"

#include "daemon/guest_request.h"
#include "oxydra/types/gateway_messages.h"

namespace oxydra::runner {

namespace {

constexpr auto kAgentAnswerTime = std::chrono::seconds(2);

// The counters, or why there are none.
asio::awaitable<Result<gateway_rpc::HealthReply>> ask_agent(const std::string& socket) {
  nlohmann::json payload = nlohmann::json::object();
  payload["request_id"] = "runner-stats";
  auto reply = co_await request_guest(socket, gateway_rpc::kOpHealth, payload,
                                      std::chrono::steady_clock::now() + kAgentAnswerTime);
  if (!reply) co_return fail(ErrorCode::not_answering, "oxydra-vm: " + reply.error().message);
  if (reply->op != gateway_rpc::kOpHealth) {
    co_return fail(ErrorCode::invalid_response,
                   "oxydra-vm answered `" + reply->op.substr(0, 64) + "` to health");
  }
  auto health = gateway_rpc::parse_health_reply(reply->payload);
  if (!health) co_return fail(ErrorCode::invalid_response, "oxydra-vm: " + health.error().message);
  if (!health->counters) co_return fail(ErrorCode::invalid_response, "oxydra-vm sent no counters");
  co_return std::move(*health);
}

}  // namespace

asio::awaitable<std::string> agent_stats_reply(ControlHandler& handler, const Message& request) {
  auto parsed = control_rpc::parse_health_check_request(request.payload);
  if (!parsed) {
    co_return error_frame(request_id_of(request.payload), ErrorCode::invalid_request,
                          parsed.error().message);
  }
  nlohmann::json out{
      {"request_id", parsed->request_id}, {"user_id", handler.user_id()}, {"available", false},
      {"agent_uptime_secs", nullptr},     {"counters", nullptr},          {"reason", nullptr}};
  const auto socket = handler.agent_socket();
  if (!socket) {
    out["reason"] = "oxydra-vm is not running";
    co_return encode_reply(control_rpc::kOpAgentStats, out);
  }
  auto health = co_await ask_agent(*socket);
  if (!health) {
    out["reason"] = health.error().message;
  } else {
    out["available"] = true;
    out["agent_uptime_secs"] = health->uptime_secs;
    out["counters"] = gateway_rpc::to_json(*health->counters);
  }
  co_return encode_reply(control_rpc::kOpAgentStats, out);
}

}  // namespace oxydra::runner
