#pragma once

#include "daemon/user_context.h"
#include "oxydra/runner/cli.h"

namespace oxydra::runner {

// One function per subcommand; each returns the process exit status.
int cmd_start(const CliOptions& options, const Selection& selection);
int cmd_restart(const CliOptions& options, const Selection& selection);
int cmd_stop(const CliOptions& options, const Selection& selection);
int cmd_status(const CliOptions& options, const Selection& selection);
int cmd_logs(const CliOptions& options, const Selection& selection);
int cmd_exec(const CliOptions& options, const Selection& selection);
int cmd_chat(const CliOptions& options, const Selection& selection);
int cmd_ask(const CliOptions& options, const Selection& selection);
// Every configured user: list, status --all, metrics.
int cmd_list(const CliOptions& options, const std::vector<Selection>& users);
int cmd_status_all(const CliOptions& options, const std::vector<Selection>& users);
int cmd_metrics(const CliOptions& options, const std::vector<Selection>& users);

// Stops the user's runner and waits until it has exited (its lock is free).
// Used by stop and restart. Sets `was_running`.
int stop_runner(const Selection& selection, bool& was_running);

}  // namespace oxydra::runner
