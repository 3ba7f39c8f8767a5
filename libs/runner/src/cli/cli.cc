#include "oxydra/runner/cli.h"

#include "cli/cli_errors.h"
#include "cli/commands.h"
#include "oxydra/logging/journal.h"

namespace oxydra::runner {

namespace {

// An unreadable config file is a configuration problem like an invalid one.
int report_config_error(const Error& error) {
  const int status = report_error(error, nullptr);
  return status == kExitFailure ? kExitUsage : status;
}

bool about_every_user(const CliOptions& options) {
  return options.command == Command::list || options.command == Command::metrics ||
         (options.command == Command::status && options.status.all);
}

int run_for_every_user(const CliOptions& options) {
  auto users = select_all_users(options.global);
  if (!users) return report_config_error(users.error());
  switch (options.command) {
    case Command::list:
      return cmd_list(options, *users);
    case Command::metrics:
      return cmd_metrics(options, *users);
    default:
      return cmd_status_all(options, *users);
  }
}

}  // namespace

int run(const CliOptions& options) {
  logging::setup(options.global.log);
  if (about_every_user(options)) return run_for_every_user(options);
  auto selection = select_user(options.global);
  if (!selection) return report_config_error(selection.error());
  logging::add_journal_field("OXYDRA_USER", selection->user_id);
  logging::add_journal_field("OXYDRA_ROLE", "runner");
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
    case Command::list:
    case Command::metrics:
      break;
  }
  return kExitUsage;
}

}  // namespace oxydra::runner
