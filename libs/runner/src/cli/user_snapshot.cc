#include "cli/user_snapshot.h"

#include "cli/control_client.h"
#include "oxydra/types/control_messages.h"

namespace oxydra::runner {

namespace {

// A runner that holds the lock but does not answer in this time is reported
// as such rather than holding up the whole list.
constexpr auto kConnectTimeout = std::chrono::seconds(2);
constexpr auto kCallTimeout = std::chrono::seconds(10);

std::string state_of(const nlohmann::json& health) {
  const auto phase = health.find("phase");
  const std::string word = phase != health.end() && phase->is_string() ? phase->get<std::string>()
                                                                       : std::string("running");
  if (word != "running") return word;
  const auto healthy = health.find("healthy");
  return healthy != health.end() && healthy->is_boolean() && healthy->get<bool>() ? "running"
                                                                                  : "unhealthy";
}

UserSnapshot snapshot(const Selection& selection, bool with_agent_stats) {
  UserSnapshot out;
  out.user_id = selection.user_id;
  auto client = ControlClient::connect(selection, kConnectTimeout);
  if (!client) {
    switch (client.error().code) {
      case ErrorCode::not_running:
        out.state = "stopped";
        return out;
      case ErrorCode::not_answering:
        out.state = "not_answering";
        break;
      case ErrorCode::peer_refused:
        out.state = "refused";
        break;
      default:
        out.state = "error";
    }
    out.error = client.error().message;
    return out;
  }
  auto health = client->call(control_rpc::kOpHealthCheck, nlohmann::json::object(), kCallTimeout);
  if (!health) {
    out.state = "error";
    out.error = health.error().message;
    return out;
  }
  out.health = std::move(health->payload);
  out.state = state_of(out.health);
  if (with_agent_stats) {
    auto agent = client->call(control_rpc::kOpAgentStats, nlohmann::json::object(), kCallTimeout);
    if (agent) out.agent = std::move(agent->payload);
  }
  return out;
}

}  // namespace

nlohmann::json field_of(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nlohmann::json(nullptr) : *it;
}

std::vector<UserSnapshot> snapshot_users(const std::vector<Selection>& users,
                                         bool with_agent_stats) {
  std::vector<UserSnapshot> out;
  out.reserve(users.size());
  for (const auto& selection : users)
    out.push_back(snapshot(selection, with_agent_stats));
  return out;
}

}  // namespace oxydra::runner
