#pragma once

#include <string>

#include "oxydra/gateway/agent_setup.h"
#include "tool_setup.h"

namespace oxydra::gateway {

// The parts of AgentSetup both modes build the same way, once config,
// workspace, user and status are filled in: workspace directories, memory,
// audit log, provider and tools.
Result<void> finish_setup(AgentSetup& setup, std::string api_key, ShellChoice shell);

}  // namespace oxydra::gateway
