// Faults injected into a running pair with the real binaries, on every tier
// this machine runs (process, container with both drivers, micro_vm): the
// shell guest killed during the model's command, oxydra-vm killed mid-turn.
// What must hold: the model hears a tool error, the runner restarts the guest,
// the next turn works, and the audit chain and the conversation database
// survive intact (docs/reliability.md).

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "oxydra/testlib/sqlite_check.h"
#include "runner_fixture.h"
#include "tier_support.h"

namespace oxydra::runner_test {
namespace {

namespace fs = std::filesystem;

std::string comm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

// `root` itself when it is called `name`, else the first process called
// `name` below it: a breadth-first walk of the children of every thread (a Go
// runtime like runc forks from any of them).
pid_t find_below(pid_t root, const std::string& name) {
  if (comm(root) == name) return root;
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

class Faults : public RunnerFixture, public ::testing::WithParamInterface<TestTier> {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    OXYDRA_SKIP_UNLESS_TIER(GetParam());
    // A VMM runs as the guest's uid and must pass through the test's directory.
    ::chmod(fs::path(config_path()).parent_path().c_str(), 0711);
  }
  void TearDown() override {
    RunnerFixture::TearDown();
    if (GetParam() == TestTier::docker) remove_docker_guests("alice");
  }
  void start(const std::string& provider_url) {
    ConfigOptions options = tier_options(GetParam());
    options.provider_url = provider_url;
    write_config(options);
    auto result = runner(tier_start_args(GetParam()));
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }
  // The process to kill for a guest: on the container tier the program inside
  // (found below the guest's init), on the microVM tier the VM itself (its
  // VMM: the host cannot reach into the guest's kernel), on the process tier
  // the program.
  pid_t victim(pid_t guest, const std::string& program) {
    if (GetParam() == TestTier::micro_vm) return guest;
    return find_below(guest, program);
  }
  // Waits until the supervisor reports `role` restarted.
  bool restarted(const std::string& role) {
    for (int i = 0; i < 1200; ++i) {
      auto h = health();
      if (!h.is_discarded() &&
          h["guests"][role].value("last_event", "").find(role + " restarted") != std::string::npos)
        return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  AsyncCommand ask_async(const std::string& prompt) {
    return AsyncCommand(
        {testlib::bin_dir() + "/oxydra-runner", "--config", config_path(), "ask", prompt},
        {{"OXY_RUNNER_TEST_KEY", kSecret}});
  }
  // The host pid the runner reports for a guest (`role`: sidecar or runtime);
  // docker's guests are not the runner's children, so the daemon says.
  pid_t guest_pid(const std::string& role) {
    if (GetParam() == TestTier::docker)
      return docker_guest_pid("alice", role == "sidecar" ? "shell-vm" : "oxydra-vm");
    auto pid = health()[role + "_pid"];
    return pid.is_number_integer() ? pid.get<pid_t>() : -1;
  }
  std::string database() const { return user_root() + "/internal/memory.db"; }
};

TEST_P(Faults, ShellGuestKilledMidCommandIsAToolErrorAndTheNextCommandWorks) {
  if (!has_shell(GetParam())) GTEST_SKIP() << "not applicable: the process tier has no shell";
  testlib::FakeLlmServer llm;
  llm.enqueue(testlib::openai_stream(calls_shell("echo started; sleep 600")));
  llm.enqueue(testlib::openai_stream(says("The command failed.")));
  llm.enqueue(testlib::openai_stream(calls_shell("echo again-ok")));
  llm.enqueue(testlib::openai_stream(says("Done.")));
  start(llm.base_url() + "/v1");
  const pid_t sidecar = guest_pid("sidecar");
  ASSERT_GT(sidecar, 0) << health().dump(2);

  AsyncCommand ask = ask_async("Run it.");
  // Once the model's command runs, kill what runs it. In a VM the command
  // cannot be seen from the host: the test waits for the request and a moment.
  pid_t target = -1;
  for (int i = 0; i < 1200 && target <= 0; ++i) {
    if (llm.request_count() >= 1) {
      if (GetParam() == TestTier::micro_vm) {
        std::this_thread::sleep_for(3s);
        target = sidecar;
      } else if (find_below(sidecar, "sleep") > 0) {
        target = victim(sidecar, "shell-daemon");
      }
    }
    if (target <= 0) std::this_thread::sleep_for(50ms);
  }
  ASSERT_GT(target, 0) << "the model's command never started";
  ASSERT_EQ(::kill(target, SIGKILL), 0);
  auto asked = ask.wait(180s);
  EXPECT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_NE(asked.out.find("The command failed."), std::string::npos) << asked.out;
  ASSERT_GE(llm.request_count(), 2u);
  // The model was told, as the tool's result, that the command did not complete.
  const std::string told = llm.requests()[1].body;
  EXPECT_NE(told.find("call_1"), std::string::npos) << told;
  EXPECT_NE(told.find("shell_exec failed: "), std::string::npos) << told;
  EXPECT_NE(told.find(" lost"), std::string::npos) << told;

  ASSERT_TRUE(restarted("sidecar")) << health().dump(2);
  auto again = runner({"ask", "Again."}, 180s);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  ASSERT_GE(llm.request_count(), 4u);
  EXPECT_NE(llm.requests()[3].body.find("again-ok"), std::string::npos) << llm.requests()[3].body;
  // The restarted guest's disks are let go at stop like the first one's.
  ASSERT_EQ(runner({"stop"}, 120s).exit_code, 0);
  const auto left = mounts_under(workspace());
  EXPECT_TRUE(left.empty()) << left.size() << " mounts left after stop, first " << left.front();
}

TEST_P(Faults, OxydraVmKilledMidTurnRestartsWithItsDatabaseAndAuditChainIntact) {
  testlib::FakeLlmServer llm;
  // A first turn that completes (with a tool call where there is a shell, so
  // the audit chain has entries), then one the kill cuts: the provider streams
  // a few words and stalls.
  if (has_shell(GetParam())) llm.enqueue(testlib::openai_stream(calls_shell("echo first")));
  llm.enqueue(testlib::openai_stream(says("First answer kept.")));
  testlib::ScriptedResponse stalled = testlib::openai_stream(says("Thinking about"));
  stalled.chunks.resize(3);  // the role and "Think" "ing a", never the end
  stalled.stall = true;
  llm.enqueue(stalled);
  llm.enqueue(testlib::openai_stream(says("After the restart.")));
  start(llm.base_url() + "/v1");
  auto first = runner({"ask", "First."}, 180s);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::size_t before_kill = llm.request_count();

  const pid_t runtime = guest_pid("runtime");
  ASSERT_GT(runtime, 0) << health().dump(2);
  AsyncCommand ask = ask_async("Take your time.");
  ASSERT_TRUE(llm.wait_for_requests(before_kill + 1, 120s));
  ASSERT_TRUE(ask.wait_output("Thinking a", 60s)) << "the stalled turn never streamed";
  const pid_t vm = victim(runtime, "oxydra-vm");
  ASSERT_GT(vm, 0);
  ASSERT_EQ(::kill(vm, SIGKILL), 0);
  auto cut = ask.wait(120s);
  EXPECT_NE(cut.exit_code, 0) << "a turn whose agent died cannot succeed: " << cut.out;
  ASSERT_TRUE(restarted("runtime")) << health().dump(2);

  // The restarted agent answers: it opened the same database and its provider works.
  auto after = runner({"ask", "Third."}, 180s);
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("After the restart."), std::string::npos) << after.out;
  ASSERT_EQ(runner({"stop"}, 120s).exit_code, 0);
  const auto left = mounts_under(workspace());
  EXPECT_TRUE(left.empty()) << left.size() << " mounts left after stop, first " << left.front();

  // Nothing written before the kill is lost or corrupt.
  auto check = testlib::check_sqlite(database(), "SELECT content FROM messages");
  EXPECT_EQ(check.integrity, "ok") << database();
  EXPECT_NE(check.rows.find("First answer kept."), std::string::npos) << check.rows;
  EXPECT_NE(check.rows.find("After the restart."), std::string::npos) << check.rows;
  if (has_shell(GetParam())) {
    const std::string audit = user_root() + "/internal/audit.jsonl";
    ASSERT_TRUE(fs::exists(audit));
    auto verified =
        run_command({testlib::bin_dir() + "/oxydra-vm", "audit-verify", audit}, {}, 30s);
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  }
}

INSTANTIATE_TEST_SUITE_P(Tiers, Faults,
                         ::testing::Values(TestTier::process, TestTier::oci, TestTier::docker,
                                           TestTier::micro_vm),
                         tier_test_name);

}  // namespace
}  // namespace oxydra::runner_test
