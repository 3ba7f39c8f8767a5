#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "oxydra/sandbox/shell_session.h"
#include "oxydra/tools/registry.h"
#include "oxydra/types/agent_config.h"
#include "oxydra/types/error.h"

namespace oxydra::gateway {

// The shell the agent gets: a session to run commands in, or the reason there
// is none (a degraded reason code and one line of detail).
struct ShellChoice {
  std::shared_ptr<sandbox::ShellSession> session;  // null: disabled
  std::string reason;
  std::string detail;
};

// shell_exec (always listed; disabled with the reason when there is no shell or
// the config turns it off) and the file tools confined to <workspace>/shared,
// tmp and, read-only, vault when it exists.
Result<std::shared_ptr<tools::Registry>> build_tools(const AgentConfig& config,
                                                     const std::filesystem::path& workspace,
                                                     ShellChoice shell);

}  // namespace oxydra::gateway
