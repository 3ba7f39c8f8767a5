#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/sandbox/shell_session.h"
#include "oxydra/types/error.h"

namespace oxydra::sandbox {

struct LocalCommand {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value"
  std::string cwd;
  std::optional<std::string> stdin_data;  // /dev/null otherwise
  std::optional<std::chrono::seconds> timeout;
  int cancel_fd = -1;  // readable: stop the command
};

struct LocalOutcome {
  int wait_status = 0;
  bool timed_out = false;
  bool cancelled = false;
  std::chrono::milliseconds duration{0};
};

// Raw bytes as they arrive, on the calling thread.
using ByteSink = std::function<void(OutputStream, std::string_view)>;

// Runs a command in its own process group on this host and waits for it. A
// timeout or cancel sends TERM to the group, then KILL after a grace period.
// When the command's main process has exited, what it left in its group is
// killed too. Error code spawn_failed.
Result<LocalOutcome> run_local(const LocalCommand& command, const ByteSink& sink);

}  // namespace oxydra::sandbox
