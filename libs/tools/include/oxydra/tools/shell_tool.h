#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "oxydra/sandbox/shell_session.h"
#include "oxydra/tools/tool.h"

namespace oxydra::tools {

struct ShellToolOptions {
  std::chrono::seconds default_timeout{120};
  std::chrono::seconds max_timeout{600};          // the largest timeout_secs the model may ask for
  std::optional<std::uint64_t> max_output_bytes;  // the session's default when unset
  sandbox::SpawnOptions spawn;  // cwd and env of the session, spawned on first use
};

// shell_exec: runs a command in `session`, spawned once on first use and kept,
// so the working directory and exported variables carry over between calls.
// Disabled, with the session's reason code, while the session is unavailable.
std::shared_ptr<Tool> make_shell_exec_tool(std::shared_ptr<sandbox::ShellSession> session,
                                           ShellToolOptions options = {});

// shell_exec when there is no shell at all (e.g. the process tier): it is
// listed, and answers every call with `reason` (a degraded reason code).
std::shared_ptr<Tool> make_disabled_shell_exec_tool(std::string reason, std::string detail);

}  // namespace oxydra::tools
