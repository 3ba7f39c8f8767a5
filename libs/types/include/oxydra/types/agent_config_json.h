#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "oxydra/types/agent_config.h"
#include "oxydra/types/error.h"

namespace oxydra {

// The agent config as it travels in the bootstrap envelope: the TOML layout
// as JSON ({"provider", "providers", "runtime", "memory", "tools"}), every
// field written, absent prices and max_cost left out. `source` is not sent.
nlohmann::json to_json(const AgentConfig& config);

// Parses and validates (validate_agent_config) the JSON form. Absent fields
// take the TOML defaults; unknown fields are ignored, as everywhere on the
// wire. Errors (code "invalid_config") name the path: "agent_config.runtime.max_turns: ...".
Result<AgentConfig> agent_config_from_json(const nlohmann::json& json,
                                           const std::string& path = "agent_config");

}  // namespace oxydra
