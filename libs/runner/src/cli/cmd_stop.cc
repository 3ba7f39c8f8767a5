#include <cstdio>
#include <thread>

#include "cli/cli_errors.h"
#include "cli/commands.h"
#include "cli/control_client.h"
#include "daemon/runner_lock.h"

namespace oxydra::runner {

int stop_runner(const Selection& selection, bool& was_running) {
  was_running = false;
  auto client = ControlClient::connect(selection);
  if (!client) {
    if (client.error().code == ErrorCode::not_running) return kExitOk;
    return report_error(client.error(), selection);
  }
  auto reply = client->call("shutdown_user", {{"user_id", selection.user_id}});
  if (!reply) return report_error(reply.error(), selection);
  was_running = true;
  // The runner has stopped when the kernel has released its lock, i.e. it exited.
  const auto& supervision = selection.runner.supervision;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::seconds(2 * supervision.stop_timeout_secs + 10);
  const auto lock = lock_file(selection.layout.root);
  while (auto pid = RunnerLock::holder(lock)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return report_error(Error{ErrorCode::internal, "user " + selection.user_id +
                                                         "'s runner (pid " + std::to_string(*pid) +
                                                         ") did not exit after shutdown_user"},
                          selection);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return kExitOk;
}

int cmd_stop(const CliOptions&, const Selection& selection) {
  bool was_running = false;
  const int status = stop_runner(selection, was_running);
  if (status != kExitOk) return status;
  std::printf(was_running ? "stopped user %s\n" : "user %s is not running\n",
              selection.user_id.c_str());
  return kExitOk;
}

}  // namespace oxydra::runner
