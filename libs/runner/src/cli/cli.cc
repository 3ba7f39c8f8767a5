#include "oxydra/runner/cli.h"

#include "cli/cli_errors.h"
#include "cli/commands.h"

namespace oxydra::runner {

int run(const CliOptions& options) {
  logging::setup(options.global.log);
  auto selection = select_user(options.global);
  if (!selection) {
    const int status = report_error(selection.error(), nullptr);
    // An unreadable config file is a configuration problem like an invalid one.
    return status == kExitFailure ? kExitUsage : status;
  }
  switch (options.command) {
    case Command::start:
      return cmd_start(options, *selection);
    case Command::restart:
      return cmd_restart(options, *selection);
    case Command::stop:
      return cmd_stop(options, *selection);
    case Command::status:
      return cmd_status(options, *selection);
    case Command::logs:
      return cmd_logs(options, *selection);
    case Command::exec:
      return cmd_exec(options, *selection);
    case Command::chat:
      return cmd_chat(options, *selection);
    case Command::ask:
      return cmd_ask(options, *selection);
  }
  return kExitUsage;
}

}  // namespace oxydra::runner
