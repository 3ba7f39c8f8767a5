#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>

#include "cli/cli_errors.h"
#include "cli/commands.h"
#include "cli/control_client.h"
#include "daemon/daemon.h"
#include "oxydra/sys/io.h"
#include "oxydra/sys/unique_fd.h"

namespace oxydra::runner {

namespace {

using sys::UniqueFd;

// Copies one chunk from `from` to `to`; false at end of file.
bool forward(int from, int to) {
  char buffer[4096];
  ssize_t n = ::read(from, buffer, sizeof buffer);
  if (n < 0 && errno == EINTR) return true;
  if (n <= 0) return false;
  sys::write_all(to, {buffer, static_cast<std::size_t>(n)});  // a closed terminal loses it
  return true;
}

// The daemon runs in a forked child in a new session. Until it is ready its
// stdout and stderr are pipes to this process, which shows them (the warning,
// the summary, or why the start failed); then the child switches them to
// logs/runner.log and says "R" on a third pipe.
int start_detached(UserContext context) {
  int out[2], err[2], ready[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(ready, O_CLOEXEC) != 0) {
    return report_error(errno_error("pipe", errno), context.selection);
  }
  const std::string runner_log = (context.policy.layout.logs / "runner.log").string();
  std::cout.flush();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return report_error(errno_error("fork", errno), context.selection);
  if (pid == 0) {
    ::setsid();
    int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    for (int fd : {null_fd, out[0], out[1], err[0], err[1], ready[0]})
      ::close(fd);
    const int ready_fd = ready[1];
    DaemonHooks hooks;
    hooks.on_ready = [ready_fd, runner_log] {
      std::cout.flush();
      std::fflush(nullptr);
      int log = ::open(runner_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (log >= 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        ::close(log);
      }
      [[maybe_unused]] ssize_t n = ::write(ready_fd, "R", 1);
      ::close(ready_fd);
    };
    return run_daemon(std::move(context), hooks);
  }
  for (int fd : {out[1], err[1], ready[1]})
    ::close(fd);
  UniqueFd out_r(out[0]), err_r(err[0]), ready_r(ready[0]);
  bool out_open = true, err_open = true, ready_open = true, is_ready = false;
  while (out_open || err_open || ready_open) {
    pollfd fds[3] = {{out_open ? out_r.get() : -1, POLLIN, 0},
                     {err_open ? err_r.get() : -1, POLLIN, 0},
                     {ready_open ? ready_r.get() : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) out_open = forward(out_r.get(), STDOUT_FILENO);
    if (fds[1].revents) err_open = forward(err_r.get(), STDERR_FILENO);
    if (fds[2].revents) {
      char byte = 0;
      ssize_t n = ::read(ready_r.get(), &byte, 1);
      if (n == 1 && byte == 'R') is_ready = true;
      if (n <= 0 || is_ready) ready_open = false;
    }
  }
  if (is_ready) {
    std::printf("user %s is running in the background (runner pid %d); its log: %s\n",
                context.selection.user_id.c_str(), static_cast<int>(pid), runner_log.c_str());
    return kExitOk;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : kExitFailure;
}

int start(const CliOptions& options, const Selection& selection) {
  auto context = load_user_context(selection, options.global.insecure);
  if (!context) return report_error(context.error(), selection);
  if (!options.start.detach) return run_daemon(std::move(*context), {});
  return start_detached(std::move(*context));
}

}  // namespace

int cmd_start(const CliOptions& options, const Selection& selection) {
  return start(options, selection);
}

int cmd_restart(const CliOptions& options, const Selection& selection) {
  // Check the new configuration before stopping the running one.
  auto context = load_user_context(selection, options.global.insecure);
  if (!context) return report_error(context.error(), selection);
  if (auto client = ControlClient::connect(selection)) {
    auto health = client->call("health_check", nlohmann::json::object());
    if (health && health->payload.value("sandbox_tier", "") == "process" &&
        !options.global.insecure) {
      return report_error(Error{ErrorCode::invalid_request,
                                "user " + selection.user_id +
                                    " runs on the process tier; restart would move it to the " +
                                    std::string(to_string(context->policy.tier)) +
                                    " tier; pass --insecure to keep it on the process tier"},
                          selection);
    }
  }
  bool was_running = false;
  if (int stopped = stop_runner(selection, was_running); stopped != kExitOk) return stopped;
  if (was_running) std::printf("stopped user %s\n", selection.user_id.c_str());
  if (!options.start.detach) return run_daemon(std::move(*context), {});
  return start_detached(std::move(*context));
}

}  // namespace oxydra::runner
