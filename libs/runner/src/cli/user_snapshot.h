#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/user_context.h"

namespace oxydra::runner {

// One configured user as its running runner reports it (list, status --all,
// metrics). Nothing is guessed: a user whose runner does not answer says so.
struct UserSnapshot {
  std::string user_id;
  // running, unhealthy, starting, stopping (the runner's own word), stopped
  // (no runner holds the user's lock), not_answering, refused, error.
  std::string state;
  nlohmann::json health;  // the health_status payload; null unless a runner answered
  nlohmann::json agent;   // the agent_stats payload; null unless asked and answered
  std::string error;      // why there is no health, when that is not "stopped"
};

// object[key], or null when the object or the key is missing: snapshots are
// read without trusting their shape.
nlohmann::json field_of(const nlohmann::json& object, const char* key);

// Asks every user's runner, one after the other.
std::vector<UserSnapshot> snapshot_users(const std::vector<Selection>& users,
                                         bool with_agent_stats);

}  // namespace oxydra::runner
