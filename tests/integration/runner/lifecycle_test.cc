// start / status / stop / restart / supervision on the process tier, with the
// real oxydra-runner and oxydra-vm.

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "oxydra/sandbox/seccomp_policy.h"
#include "oxydra/testlib/proc_scan.h"
#include "oxydra/types/startup_status.h"
#include "runner_fixture.h"

namespace oxydra::runner_test {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

class Lifecycle : public RunnerFixture {
 protected:
  nlohmann::json wait_for(const std::function<bool(const nlohmann::json&)>& pred) {
    return wait_health(pred);
  }
};

TEST_F(Lifecycle, StartStatusStopOnTheProcessTier) {
  auto started = runner({"--insecure", "start", "--detach"});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  EXPECT_TRUE(contains(started.err, "WARNING: INSECURE PROCESS TIER")) << started.err;
  EXPECT_TRUE(contains(started.err, "Isolation is DEGRADED and this is NOT PRODUCTION-SAFE"));
  EXPECT_TRUE(contains(started.err, "shell and browser tools are disabled"));
  EXPECT_TRUE(contains(started.out, "user alice")) << started.out;

  // Provisioning.
  for (const char* dir : {"control", "internal", "vault", "logs", "ipc/gateway"}) {
    EXPECT_EQ(mode_of(user_root() + "/" + dir), 0700u) << dir;
  }
  EXPECT_EQ(mode_of(user_root() + "/ipc"), 0711u);
  for (const char* dir : {"shared", "tmp"})
    EXPECT_TRUE(fs::is_directory(user_root() + "/" + dir));
  EXPECT_EQ(mode_of(user_root() + "/control/runner-control.sock") & 0777, 0600u);

  auto health = this->health();
  ASSERT_FALSE(health.is_discarded());
  EXPECT_EQ(health["user_id"], "alice");
  EXPECT_EQ(health["healthy"], true) << health.dump(2);
  EXPECT_EQ(health["sandbox_tier"], "process");
  EXPECT_EQ(health["shell_available"], false);
  EXPECT_EQ(health["browser_available"], false);
  EXPECT_EQ(health["tools"]["shell"]["reason"], "insecure_process_tier");
  EXPECT_TRUE(health["sidecar_pid"].is_null());
  EXPECT_EQ(health["log_dir"], user_root() + "/logs");
  EXPECT_TRUE(health["uptime_secs"].is_number_unsigned());
  const pid_t runtime = health["runtime_pid"].get<pid_t>();
  const pid_t runner_pid = health["runner_pid"].get<pid_t>();
  EXPECT_TRUE(process_alive(runtime));
  EXPECT_EQ(testlib::read_proc(runtime)->ppid, runner_pid);
  const auto& status = health["startup_status"];
  EXPECT_EQ(status["sandbox_tier"], "process");
  EXPECT_EQ(status["shell_available"], false);
  bool insecure_reason = false;
  for (const auto& reason : status["degraded_reasons"]) {
    insecure_reason |= reason["code"] == std::string(degraded::kInsecureProcessTier);
  }
  EXPECT_TRUE(insecure_reason) << status.dump(2);
  const auto& report = status["enforcement"]["runtime"];
  EXPECT_EQ(report["no_new_privs"], true) << report.dump(2);
  EXPECT_EQ(report["seccomp"]["mode"], "filter");
  EXPECT_EQ(report["seccomp"]["policy"], std::string(sandbox::kSeccompPolicyName));
  if (missing_kernel_feature().empty()) {
    EXPECT_TRUE(report["landlock"]["status"] == "fully_enforced" ||
                report["landlock"]["status"] == "partially_enforced")
        << report.dump(2);
    EXPECT_TRUE(report["landlock"]["abi"].is_number());
  }

  auto table = runner({"status"});
  EXPECT_EQ(table.exit_code, 0);
  for (const char* text : {"WARNING", "tier", "process", "no_new_privs", "seccomp", "landlock",
                           "disabled (insecure_process_tier)", "degraded"}) {
    EXPECT_TRUE(contains(table.out, text)) << text << "\n" << table.out;
  }

  auto second = runner({"--insecure", "start", "--detach"});
  EXPECT_EQ(second.exit_code, 4) << second.out << second.err;
  EXPECT_TRUE(contains(second.err, "already running (runner pid " + std::to_string(runner_pid)))
      << second.err;
  EXPECT_TRUE(contains(second.err, "hint: "));

  auto exec = runner({"exec", "--", "true"});
  EXPECT_EQ(exec.exit_code, 125);
  EXPECT_TRUE(contains(exec.err, "has no shell")) << exec.err;
  EXPECT_TRUE(contains(exec.err, "process tier")) << exec.err;

  auto logs = runner({"logs", "--role", "runtime", "--stream", "stderr", "--tail", "50"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_TRUE(contains(logs.out, "runtime/stderr: ")) << logs.out;
  EXPECT_FALSE(contains(logs.out, kSecret));

  auto recent = runner({"logs", "--since", "1h", "--tail", "0"});
  EXPECT_EQ(recent.exit_code, 0);
  EXPECT_TRUE(contains(recent.out, "runtime/stderr: ")) << recent.out;
  auto bad_since = runner({"logs", "--since", "yesterday"});
  EXPECT_EQ(bad_since.exit_code, 2);
  EXPECT_TRUE(contains(bad_since.err, "since: ")) << bad_since.err;
  AsyncCommand follow(
      {testlib::bin_dir() + "/oxydra-runner", "--config", config_path(), "logs", "--follow"}, {});
  EXPECT_TRUE(follow.wait_output("runtime/stderr: "));

  auto stop = runner({"stop"});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_TRUE(contains(stop.out, "stopped user alice"));
  EXPECT_TRUE(testlib::wait_until_none([&](const testlib::ProcInfo& p) {
                return (p.pid == runtime || p.pid == runner_pid) && p.state != 'Z';
              }).empty());
  auto followed = follow.wait();
  EXPECT_EQ(followed.exit_code, 0) << followed.err;
  EXPECT_TRUE(contains(followed.err, "the runner stopped")) << followed.err;
  EXPECT_FALSE(fs::exists(user_root() + "/ipc/runner-control.sock"));
  EXPECT_FALSE(fs::exists(user_root() + "/ipc/gateway/gateway.sock"));

  auto gone = runner({"status"});
  EXPECT_EQ(gone.exit_code, 3);
  EXPECT_TRUE(contains(gone.err, "error: user alice is not running")) << gone.err;
  EXPECT_TRUE(contains(gone.err, "hint: "));
  auto again = runner({"stop"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_TRUE(contains(again.out, "not running"));
}

TEST_F(Lifecycle, RestartReplacesTheGuestsAndKeepsTheTier) {
  start_detached();
  auto before = health();
  ASSERT_FALSE(before.is_discarded());

  auto refused = runner({"restart", "--detach"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_TRUE(contains(refused.err, "pass --insecure")) << refused.err;

  auto restarted = runner({"--insecure", "restart", "--detach"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.out << restarted.err;
  auto after = health();
  ASSERT_FALSE(after.is_discarded());
  EXPECT_EQ(after["healthy"], true);
  EXPECT_NE(after["runner_pid"], before["runner_pid"]);
  EXPECT_NE(after["runtime_pid"], before["runtime_pid"]);
  EXPECT_FALSE(process_alive(before["runtime_pid"].get<pid_t>()));
}

TEST_F(Lifecycle, AnUnexpectedGuestExitIsRestartedAndShownInHealth) {
  start_detached();
  auto before = health();
  const pid_t runtime = before["runtime_pid"].get<pid_t>();
  ASSERT_EQ(::kill(runtime, SIGKILL), 0);
  auto after = wait_for([&](const nlohmann::json& h) {
    return h["healthy"] == true && h["runtime_pid"].is_number() && h["runtime_pid"] != runtime;
  });
  ASSERT_EQ(after["healthy"], true) << after.dump(2);
  EXPECT_EQ(after["guests"]["runtime"]["restarts"], 1);
  EXPECT_EQ(after["guests"]["runtime"]["last_exit"], "killed by signal 9");
  EXPECT_TRUE(contains(after["message"].get<std::string>(), "restarted")) << after.dump(2);
}

TEST_F(Lifecycle, GivesUpAfterRestartMaxAndSaysSo) {
  ConfigOptions options;
  options.restart_max = 0;
  write_config(options);
  start_detached();
  const pid_t runtime = health()["runtime_pid"].get<pid_t>();
  ASSERT_EQ(::kill(runtime, SIGKILL), 0);
  auto after =
      wait_for([](const nlohmann::json& h) { return h["guests"]["runtime"]["state"] == "failed"; });
  EXPECT_EQ(after["healthy"], false) << after.dump(2);
  EXPECT_TRUE(after["runtime_pid"].is_null());
  EXPECT_TRUE(contains(after["message"].get<std::string>(), "not restarting")) << after.dump(2);
}

TEST_F(Lifecycle, KillNineOfTheRunnerLeavesNoGuest) {
  start_detached();
  auto health = this->health();
  const pid_t runner_pid = health["runner_pid"].get<pid_t>();
  const pid_t runtime = health["runtime_pid"].get<pid_t>();
  ASSERT_TRUE(process_alive(runtime));
  ASSERT_EQ(::kill(runner_pid, SIGKILL), 0);
  auto survivors = testlib::wait_until_none([&](const testlib::ProcInfo& p) {
    return (p.pid == runtime || p.ppid == runner_pid) && p.state != 'Z';
  });
  EXPECT_TRUE(survivors.empty()) << survivors.size() << " guest process(es) outlived the runner";

  // The crashed run's leftovers (socket files, lock file) do not block a new start.
  EXPECT_TRUE(fs::exists(user_root() + "/control/runner-control.sock"));
  start_detached();
  EXPECT_EQ(this->health()["healthy"], true);
}

TEST_F(Lifecycle, ForegroundStartStopsOnSigterm) {
  std::vector<std::string> argv = {testlib::bin_dir() + "/oxydra-runner", "--config", config_path(),
                                   "--insecure", "start"};
  CommandResult result;
  std::thread foreground([&] {
    result = run_command(argv, {{"OXY_RUNNER_TEST_KEY", kSecret}}, 180s);
  });
  auto up = wait_for([](const nlohmann::json& h) { return h["healthy"] == true; });
  ASSERT_EQ(up["healthy"], true);
  const pid_t runtime = up["runtime_pid"].get<pid_t>();
  ::kill(up["runner_pid"].get<pid_t>(), SIGTERM);
  foreground.join();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.err, "WARNING: INSECURE PROCESS TIER"));
  EXPECT_TRUE(contains(result.out, "user alice: running (healthy)")) << result.out;
  EXPECT_FALSE(process_alive(runtime));
}

}  // namespace
}  // namespace oxydra::runner_test
