// Faults injected into a running pair on the container tier (oci driver),
// with the real binaries: the shell daemon killed during the model's command,
// oxydra-vm killed mid-turn. What must hold: the model hears a tool error, the
// runner restarts the guest, the next turn works, and the audit chain and the
// conversation database survive (docs/reliability.md).

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "runner_fixture.h"

namespace oxydra::runner_test {
namespace {

namespace fs = std::filesystem;

using testlib::images_dir;

std::string missing_support() {
  if (::geteuid() != 0) return "the oci driver needs root (user namespaces set up by runc)";
  if (::access("/usr/sbin/runc", X_OK) != 0 && ::access("/usr/bin/runc", X_OK) != 0)
    return "runc is not installed (scripts/install-deps installs it)";
  if (!fs::exists(fs::path(images_dir()) / "container/shell-vm/opt/oxydra/bin/shell-daemon"))
    return "no guest image in " + images_dir() + " (scripts/build-guest-rootfs builds them)";
  return {};
}

std::string comm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

// The first process called `name` below `root`: a breadth-first walk of the
// children of every thread (a Go runtime like runc forks from any of them).
pid_t find_below(pid_t root, const std::string& name) {
  std::vector<pid_t> queue = {root};
  for (std::size_t i = 0; i < queue.size(); ++i) {
    std::error_code ec;
    for (const auto& task :
         fs::directory_iterator("/proc/" + std::to_string(queue[i]) + "/task", ec)) {
      std::ifstream in(task.path() / "children");
      pid_t child = 0;
      while (in >> child) {
        if (comm(child) == name) return child;
        queue.push_back(child);
      }
    }
  }
  return -1;
}

class Faults : public RunnerFixture {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    if (auto missing = missing_support(); !missing.empty()) {
      OXYDRA_SKIP(missing);
    }
  }
  void start(const std::string& provider_url) {
    ConfigOptions options;
    options.runner_top = "images_dir = \"" + images_dir() + "\"\n";
    options.provider_url = provider_url;
    write_config(options);
    auto result = runner({"start", "--detach"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }
  // Waits until the supervisor reports `role` restarted.
  bool restarted(const std::string& role) {
    for (int i = 0; i < 300; ++i) {
      auto h = health();
      if (!h.is_discarded() &&
          h["guests"][role].value("last_event", "").find(role + " restarted") != std::string::npos)
        return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
};

TEST_F(Faults, ShellDaemonKilledMidCommandIsAToolErrorAndTheNextCommandWorks) {
  testlib::FakeLlmServer llm;
  llm.enqueue(testlib::openai_stream(calls_shell("echo started; sleep 60")));
  llm.enqueue(testlib::openai_stream(says("The command failed.")));
  llm.enqueue(testlib::openai_stream(calls_shell("echo again-ok")));
  llm.enqueue(testlib::openai_stream(says("Done.")));
  start(llm.base_url() + "/v1");
  const pid_t sidecar = health()["sidecar_pid"].get<pid_t>();

  AsyncCommand ask(
      {testlib::bin_dir() + "/oxydra-runner", "--config", config_path(), "ask", "Run it."},
      {{"OXY_RUNNER_TEST_KEY", kSecret}});
  // Once the model's command runs, kill the daemon that runs it.
  pid_t daemon = -1;
  for (int i = 0; i < 200 && daemon <= 0; ++i) {
    if (llm.request_count() >= 1) {
      const pid_t sleeper = find_below(sidecar, "sleep");
      if (sleeper > 0) daemon = find_below(sidecar, "shell-daemon");
    }
    if (daemon <= 0) std::this_thread::sleep_for(50ms);
  }
  ASSERT_GT(daemon, 0) << "the model's command never started";
  ASSERT_EQ(::kill(daemon, SIGKILL), 0);
  auto asked = ask.wait(120s);
  EXPECT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_NE(asked.out.find("The command failed."), std::string::npos) << asked.out;
  ASSERT_GE(llm.request_count(), 2u);
  // The model was told, as the tool's result, that the command did not complete.
  const std::string told = llm.requests()[1].body;
  EXPECT_NE(told.find("call_1"), std::string::npos) << told;
  EXPECT_NE(told.find("shell_exec failed: "), std::string::npos) << told;
  EXPECT_NE(told.find("connection to unix:/workspace/ipc/shell/shell.sock lost"), std::string::npos)
      << told;

  ASSERT_TRUE(restarted("sidecar")) << health().dump(2);
  auto again = runner({"ask", "Again."}, 120s);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  ASSERT_GE(llm.request_count(), 4u);
  EXPECT_NE(llm.requests()[3].body.find("again-ok"), std::string::npos) << llm.requests()[3].body;
}

TEST_F(Faults, OxydraVmKilledMidTurnRestartsWithItsAuditChainIntact) {
  testlib::FakeLlmServer llm;
  llm.enqueue(testlib::openai_stream(calls_shell("sleep 60")));
  llm.enqueue(testlib::openai_stream(says("After the restart.")));
  start(llm.base_url() + "/v1");
  const pid_t runtime = health()["runtime_pid"].get<pid_t>();
  AsyncCommand ask({testlib::bin_dir() + "/oxydra-runner", "--config", config_path(), "ask",
                    "Run something long."},
                   {{"OXY_RUNNER_TEST_KEY", kSecret}});
  pid_t vm = -1;
  for (int i = 0; i < 200 && vm <= 0; ++i) {
    if (llm.request_count() >= 1) vm = find_below(runtime, "oxydra-vm");
    if (vm <= 0) std::this_thread::sleep_for(50ms);
  }
  ASSERT_GT(vm, 0);
  ASSERT_EQ(::kill(vm, SIGKILL), 0);
  auto cut = ask.wait(60s);
  EXPECT_NE(cut.exit_code, 0) << "a turn whose agent died cannot succeed: " << cut.out;
  ASSERT_TRUE(restarted("runtime")) << health().dump(2);

  // The audit chain of everything written before the kill still verifies.
  const std::string audit = user_root() + "/internal/audit.jsonl";
  ASSERT_TRUE(fs::exists(audit));
  auto verified = run_command({testlib::bin_dir() + "/oxydra-vm", "audit-verify", audit}, {}, 30s);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  // And the restarted agent answers: it opened the same database (migrations
  // and all) and its provider client works.
  auto after = runner({"ask", "Third."}, 120s);
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("After the restart."), std::string::npos) << after.out;
}

}  // namespace
}  // namespace oxydra::runner_test
