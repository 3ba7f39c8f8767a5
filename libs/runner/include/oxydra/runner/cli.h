#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oxydra/logging/logging.h"

namespace oxydra::runner {

// What apps/oxydra-runner parsed from its command line; run() does the rest.
// docs/operations.md describes every command and exit status.

enum class Command { start, stop, status, restart, logs, exec, chat, ask, list, metrics };

// Exit statuses shared by every command (exec passes its command's through).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;         // the command failed
inline constexpr int kExitUsage = 2;           // bad flags, config or user
inline constexpr int kExitNotRunning = 3;      // the user's runner is not running
inline constexpr int kExitAlreadyRunning = 4;  // start: a runner for the user is running
inline constexpr int kExitExecError = 125;     // exec: failed before the command ran

struct GlobalOptions {
  std::string config_path;  // empty: .oxydra/runner.toml, then ~/.oxydra/runner.toml
  std::string user;         // empty: the only configured user
  bool insecure = false;    // force the process tier
  logging::Options log;
};

struct StartOptions {
  bool detach = false;  // return once the pair is ready; the runner keeps running
};

struct StatusOptions {
  bool json = false;  // the health_status payload as JSON
  bool all = false;   // every configured user
};

struct ListOptions {
  bool json = false;
  bool configured = false;  // only the configured names, no runner asked
};

struct MetricsOptions {
  std::string output;  // a file to replace atomically (textfile collector); empty: stdout
};

struct LogsOptions {
  std::string role = "all";     // runtime | sidecar | all
  std::string stream = "both";  // stdout | stderr | both
  std::uint64_t tail = 100;     // last N lines; 0: all
  std::string since;            // RFC 3339, or a duration back from now: 30s, 10m, 2h, 1d
  bool follow = false;          // keep printing new lines
};

struct ExecCommandOptions {
  std::vector<std::string> command;  // one argument: a shell command line; more: quoted words
  std::optional<std::int64_t> timeout_secs;
};

struct CliOptions {
  Command command = Command::status;
  GlobalOptions global;
  StartOptions start;
  StatusOptions status;
  ListOptions list;
  MetricsOptions metrics;
  LogsOptions logs;
  ExecCommandOptions exec;
  std::string ask_text;
};

// Runs one command; returns the process exit status. Errors are printed as one
// line "error: ..." and, where it helps, "hint: ...".
int run(const CliOptions& options);

}  // namespace oxydra::runner
