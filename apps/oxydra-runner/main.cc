// oxydra-runner: starts, supervises and stops each user's isolated pair, and
// is the operator's CLI for them (docs/operations.md).

#include <CLI/CLI.hpp>

#include "oxydra/logging/cli.h"
#include "oxydra/runner/cli.h"

namespace {

using oxydra::runner::CliOptions;
using oxydra::runner::Command;

CLI::App* subcommand(CLI::App& app, CliOptions& options, const char* name, Command command,
                     const std::string& help) {
  auto* sub = app.add_subcommand(name, help);
  sub->callback([&options, command] { options.command = command; });
  return sub;
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions options;
  auto& global = options.global;
  global.log.program = "oxydra-runner";

  CLI::App app{
      "Oxydra runner: starts each user's isolated pair (oxydra-vm, the agent, and shell-vm, "
      "where the model's commands run), hands oxydra-vm its configuration and secrets, "
      "supervises both, and stops them. The other commands talk to a running runner through "
      "its control socket (<workspace>/<user>/ipc/runner-control.sock).\n\n"
      "Exit status: 0 ok, 1 failed, 2 bad flags/config/user, 3 not running, 4 already running; "
      "exec returns its command's status (125 when exec itself failed)."};
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--config", global.config_path,
                 "runner.toml (default: .oxydra/runner.toml, then ~/.oxydra/runner.toml)");
  app.add_option("--user", global.user, "The user (optional when only one is configured)");
  app.add_flag("--insecure", global.insecure,
               "Use the process tier: oxydra-vm as a hardened host process, no shell-vm. "
               "Isolation is degraded; development only");
  oxydra::logging::add_flags(app, global.log);

  auto* start = subcommand(app, options, "start", Command::start,
                           "Start the user's pair and supervise it in the foreground until "
                           "Ctrl-C, SIGTERM or `stop`");
  start->add_flag("--detach", options.start.detach,
                  "Return once the pair is ready; the runner keeps running in the background "
                  "(its own log goes to <workspace>/<user>/logs/runner.log)");

  subcommand(app, options, "stop", Command::stop,
             "Stop the user's runner and its guests (exit 0 also when it was not running)");

  auto* status = subcommand(app, options, "status", Command::status,
                            "Show tier, enforcement report, tools, pids, uptime and degraded "
                            "reasons of the running user (exit 3 when not running)");
  status->add_flag("--json", options.status.json, "Print the health_status payload as JSON");
  status->add_flag("--all", options.status.all,
                   "Every configured user, one after the other (exit 3 when one is not running)");

  auto* list = subcommand(app, options, "list", Command::list,
                          "Every configured user at a glance: state, tier, uptime, memory and CPU "
                          "of the pair, degraded reasons, as their runners report them");
  list->add_flag("--json", options.list.json, "One JSON object per user");
  list->add_flag("--configured", options.list.configured,
                 "Only the names of the configured users, one per line, without asking any "
                 "runner (for scripts and the systemd generator)");

  auto* metrics = subcommand(app, options, "metrics", Command::metrics,
                             "Every configured user's figures in the Prometheus text format "
                             "(node_exporter's textfile collector; docs/operations.md)");
  metrics->add_option("--output,-o", options.metrics.output,
                      "Write to this file (replaced atomically) instead of stdout, e.g. "
                      "/var/lib/prometheus/node-exporter/oxydra.prom");

  auto* restart = subcommand(app, options, "restart", Command::restart,
                             "Stop the user's runner (if running) and start it again; the new "
                             "configuration is checked first");
  restart->add_flag("--detach", options.start.detach, "As for start");

  auto* logs = subcommand(app, options, "logs", Command::logs,
                          "Print the guests' captured stdout/stderr (through the runner)");
  logs->add_option("--role", options.logs.role, "runtime (oxydra-vm), sidecar (shell-vm) or all")
      ->check(CLI::IsMember({"runtime", "sidecar", "all"}))
      ->capture_default_str();
  logs->add_option("--stream", options.logs.stream, "stdout, stderr or both")
      ->check(CLI::IsMember({"stdout", "stderr", "both"}))
      ->capture_default_str();
  logs->add_option("--tail,-n", options.logs.tail, "The last N lines (0: all)")
      ->capture_default_str();
  logs->add_option("--since", options.logs.since,
                   "Only lines at or after this time: RFC 3339 (2025-01-31T09:15:00Z) or a "
                   "duration back from now (30s, 10m, 2h, 1d)");
  logs->add_flag("--follow,-f", options.logs.follow, "Keep printing new lines until Ctrl-C");

  auto* exec = subcommand(app, options, "exec", Command::exec,
                          "Run a command in the user's shell-vm through the shell daemon and "
                          "exit with its status. One argument is a shell command line; several "
                          "are quoted words. The process tier has no shell: exec fails (125)");
  exec->add_option("--timeout", options.exec.timeout_secs, "Seconds before the command is killed")
      ->check(CLI::PositiveNumber);
  exec->add_option("command", options.exec.command, "The command, after --")->required();

  subcommand(app, options, "chat", Command::chat,
             "Talk to the user's agent interactively; replies stream as they are written. "
             "Ctrl-C cancels the running turn only; Ctrl-D or /quit leaves, /new starts a new "
             "session");

  auto* ask = subcommand(app, options, "ask", Command::ask,
                         "Send one message to the user's agent, print the streamed answer, and "
                         "exit (1 when the turn fails or ends early)");
  ask->add_option("text", options.ask_text, "The message")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? oxydra::runner::kExitOk : oxydra::runner::kExitUsage;
  }
  return oxydra::runner::run(options);
}
