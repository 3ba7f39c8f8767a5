#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "oxydra/types/error.h"

namespace oxydra::runner {

struct CommandOutput {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Runs a short helper command (an OCI runtime's state/kill/delete) to the end
// with stdin from /dev/null and both outputs captured. Killed after `timeout`.
// argv[0] must be a path. An exit status other than 0 is not an error here.
Result<CommandOutput> run_command(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout);

}  // namespace oxydra::runner
