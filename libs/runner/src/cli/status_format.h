#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace oxydra::runner {

// The readable table of `status` (and of start's summary) from a
// health_status payload: state, tier, pids, uptime, tools, degraded reasons,
// and the enforcement report of each guest.
std::string format_status(const nlohmann::json& health);

// "3d 04h", "2h 05m", "4m 09s", "12s".
std::string format_duration(std::uint64_t seconds);

}  // namespace oxydra::runner
