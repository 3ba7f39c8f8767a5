#include <unistd.h>

#include <cstdio>
#include <stop_token>

#include "cli/cli_errors.h"
#include "cli/commands.h"
#include "cli/control_client.h"
#include "cli/exec_command.h"
#include "cli/interrupt.h"
#include "oxydra/sandbox/shell_backend.h"
#include "oxydra/sys/io.h"

namespace oxydra::runner {

namespace {

int exec_error(const Error& error, const Selection& selection) {
  report_error(error, selection);
  return kExitExecError;
}

}  // namespace

std::string shell_command_line(const std::vector<std::string>& words) {
  if (words.size() == 1) return words.front();
  std::string line;
  for (const auto& word : words) {
    if (!line.empty()) line += ' ';
    line += '\'';
    for (char c : word) {
      if (c == '\'') {
        line += "'\\''";
      } else {
        line += c;
      }
    }
    line += '\'';
  }
  return line;
}

int exit_status_of(const sandbox::ExecResult& result) {
  if (result.timed_out) return 124;
  if (result.signal) return 128 + *result.signal;
  return result.exit_code.value_or(kExitFailure);
}

int run_in_shell(const sandbox::SidecarEndpoint& endpoint, const std::string& command,
                 std::optional<std::int64_t> timeout_secs, const Selection& selection) {
  std::stop_source stop;
  InterruptWatcher interrupt([&stop] { stop.request_stop(); });
  auto session = sandbox::open_shell_session(endpoint);
  if (auto status = session->status(); !status.available) {
    return exec_error(Error{error_code_from_string(status.code),
                            "the shell daemon is not reachable: " + status.detail},
                      selection);
  }
  if (auto spawned = session->spawn({}); !spawned) return exec_error(spawned.error(), selection);
  sandbox::ExecOptions exec;
  exec.command = command;
  if (timeout_secs) exec.timeout = std::chrono::seconds(*timeout_secs);
  exec.stop = stop.get_token();
  exec.collect_output = false;
  exec.on_output = [](const sandbox::OutputChunk& chunk) {
    sys::write_all(
        chunk.stream == sandbox::OutputStream::stderr_stream ? STDERR_FILENO : STDOUT_FILENO,
        chunk.data);
  };
  auto result = session->exec(exec);
  session->kill();
  if (!result) return exec_error(result.error(), selection);
  if (result->truncated_bytes > 0) {
    std::fprintf(stderr, "(exec: %llu bytes of output were dropped by the shell daemon)\n",
                 static_cast<unsigned long long>(result->truncated_bytes));
  }
  if (result->cancelled) std::fprintf(stderr, "(exec: cancelled)\n");
  return exit_status_of(*result);
}

int cmd_exec(const CliOptions& options, const Selection& selection) {
  auto client = ControlClient::connect(selection);
  if (!client) return exec_error(client.error(), selection);
  auto health = client->call("health_check", nlohmann::json::object());
  if (!health) return exec_error(health.error(), selection);
  const auto& payload = health->payload;
  const auto endpoint = payload.value("sidecar_endpoint", nlohmann::json());
  if (!payload.value("shell_available", false) || !endpoint.is_object()) {
    const std::string tier = payload.value("sandbox_tier", "unknown");
    std::string why = tier == "process"
                          ? "the process tier runs no shell-vm, so there is no shell to run "
                            "commands in (shell disabled: insecure_process_tier)"
                          : "its shell is not available (see `status`)";
    return exec_error(
        Error{ErrorCode::no_shell, "user " + selection.user_id + " has no shell: " + why},
        selection);
  }
  return run_in_shell(
      sandbox::SidecarEndpoint{endpoint.value("transport", ""), endpoint.value("address", "")},
      shell_command_line(options.exec.command), options.exec.timeout_secs, selection);
}

}  // namespace oxydra::runner
