#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace oxydra::testlib {

struct CommandResult {
  int exit_code = -1;      // 128 + signal when killed; -1 when it could not start
  bool timed_out = false;  // killed with SIGKILL at the deadline
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the test's environment plus `env`, stdin
// /dev/null, capturing stdout and stderr; killed at `timeout`.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace oxydra::testlib
