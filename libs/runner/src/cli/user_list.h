#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/user_snapshot.h"

namespace oxydra::runner {

// `list`: one line per configured user (state, tier, uptime, memory and CPU of
// the pair, degraded reasons), or the same as a JSON array for --json.
std::string format_user_list(const std::vector<UserSnapshot>& users);
nlohmann::json user_list_json(const std::vector<UserSnapshot>& users);

// "21.3 MiB", "812 KiB", "-" for null.
std::string format_bytes(const nlohmann::json& bytes);

}  // namespace oxydra::runner
