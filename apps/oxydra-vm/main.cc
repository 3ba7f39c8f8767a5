// oxydra-vm: the agent runtime (provider, turn loop, tools, memory, gateway).

#include <sys/prctl.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include "oxydra/gateway/vm.h"
#include "oxydra/logging/cli.h"
#include "oxydra/logging/logging.h"

int main(int argc, char** argv) {
  oxydra::gateway::VmOptions options;
  oxydra::logging::Options log;
  log.program = "oxydra-vm";
  int bootstrap_fd = -1;
  std::int64_t bootstrap_timeout_secs = 30;
  std::string audit_file;

  CLI::App app{
      "Oxydra agent runtime: talks to the LLM provider, runs the model's tool calls (shell "
      "commands through the shell daemon, workspace files), keeps conversations in SQLite and "
      "serves the gateway socket that `oxydra-runner chat` and `ask` connect to.\n\n"
      "Under the runner it reads one framed bootstrap envelope (configuration and credentials) "
      "from exactly one of --bootstrap-fd, --bootstrap-socket or --bootstrap-stdin. Without "
      "one it runs in direct development mode from --config, unisolated and without a shell.\n\n"
      "Exit status: 0 after SIGTERM/SIGINT, 1 on a startup or runtime failure, 2 for an invalid "
      "envelope, config or flags."};
  app.require_subcommand(0, 1);
  auto* fd_opt = app.add_option("--bootstrap-fd", bootstrap_fd,
                                "Read the envelope from this inherited descriptor (a "
                                "socketpair end); it is closed afterwards")
                     ->check(CLI::NonNegativeNumber);
  auto* socket_opt = app.add_option("--bootstrap-socket", options.bootstrap_socket,
                                    "Connect to this Unix socket (owned by the runner) and read "
                                    "the envelope from it");
  auto* stdin_opt =
      app.add_flag("--bootstrap-stdin", options.bootstrap_stdin, "Read the envelope from stdin");
  fd_opt->excludes(socket_opt, stdin_opt);
  socket_opt->excludes(stdin_opt);
  app.add_option("--bootstrap-timeout", bootstrap_timeout_secs,
                 "Seconds to wait for the envelope to arrive")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  auto* config_opt = app.add_option(
      "--config", options.config_path,
      "Direct development mode: the agent config (agent.toml). The API key is read from the "
      "environment variable named by the provider's api_key_env");
  auto* workspace_opt = app.add_option(
      "--workspace", options.workspace,
      "Direct development mode: the workspace directory (default ./oxydra-workspace); the "
      "gateway listens on <workspace>/ipc/gateway.sock, state goes to <workspace>/internal/");
  workspace_opt->needs(config_opt);
  for (auto* bootstrap : {fd_opt, socket_opt, stdin_opt})
    bootstrap->excludes(config_opt);
  oxydra::logging::add_flags(app, log);

  auto* verify =
      app.add_subcommand("audit-verify",
                         "Check the hash chain of an audit log (internal/audit.jsonl); prints "
                         "'ok: N lines', or the first broken line and exits 1");
  verify->add_option("FILE", audit_file, "The audit log")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, like a bad config.
    return app.exit(e) == 0 ? 0 : oxydra::gateway::kExitInvalid;
  }
  if (*verify) return oxydra::gateway::audit_verify(audit_file);

  // This process will hold the user's credentials: no core dump of it, and
  // no ptrace or /proc/<pid>/mem by another process of the same uid.
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  if (*fd_opt) options.bootstrap_fd = bootstrap_fd;
  options.bootstrap_timeout = std::chrono::seconds(bootstrap_timeout_secs);
  oxydra::logging::setup(log);
  return oxydra::gateway::run_vm(options);
}
