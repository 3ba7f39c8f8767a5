#include <fstream>

#include <gtest/gtest.h>

#include "cli/exec_command.h"
#include "cli/status_format.h"
#include "daemon/health.h"
#include "daemon/user_context.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

TEST(ExecCommandLine, OneWordIsAShellLineSeveralAreQuoted) {
  EXPECT_EQ(shell_command_line({"ls -l | wc -l"}), "ls -l | wc -l");
  EXPECT_EQ(shell_command_line({"sh", "-c", "echo 'hi'"}), "'sh' '-c' 'echo '\\''hi'\\'''");
}

TEST(FindRunnerConfig, ExplicitThenSearchOrder) {
  testlib::TempDir dir;
  EXPECT_EQ(*find_runner_config("given.toml", {}), "given.toml");
  const std::string second = dir.file("second.toml");
  std::ofstream(second) << "";
  EXPECT_EQ(*find_runner_config("", {dir.file("absent.toml"), second}), second);
  auto none = find_runner_config("", {dir.file("absent.toml")});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::no_runner_config);
}

TEST(SelectUser, OnlyUserIsTheDefaultAndOthersMustBeNamed) {
  testlib::TempDir dir;
  const std::string one = dir.file("one.toml");
  std::ofstream(one) << "[users.alice]\nconfig_path = \"alice.toml\"\n";
  GlobalOptions options;
  options.config_path = one;
  auto selected = select_user(options);
  ASSERT_TRUE(selected) << selected.error().message;
  EXPECT_EQ(selected->user_id, "alice");
  EXPECT_EQ(command_prefix(*selected), "oxydra-runner --config " + one + " --user alice");

  const std::string two = dir.file("two.toml");
  std::ofstream(two) << "[users.alice]\nconfig_path = \"a.toml\"\n[users.bob]\nconfig_path = "
                        "\"b.toml\"\n";
  options.config_path = two;
  auto ambiguous = select_user(options);
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().code, ErrorCode::user_required);
  EXPECT_NE(ambiguous.error().message.find("alice, bob"), std::string::npos);
  options.user = "carol";
  EXPECT_EQ(select_user(options).error().code, ErrorCode::unknown_user);
  options.user = "bob";
  EXPECT_EQ(select_user(options)->user_id, "bob");
}

TEST(SelectUser, AHostWithNobodyConfiguredSaysSoAndListsNobody) {
  testlib::TempDir dir;
  const std::string empty = dir.file("runner.toml");
  std::ofstream(empty) << "[users]\n";
  GlobalOptions options;
  options.config_path = empty;
  auto selected = select_user(options);
  ASSERT_FALSE(selected);
  EXPECT_EQ(selected.error().code, ErrorCode::no_users);
  EXPECT_EQ(selected.error().message, "no user is configured in " + empty);
  auto all = select_all_users(options);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_TRUE(all->empty());
}

TEST(StatusFormat, ShowsTierWarningToolsDegradedAndEnforcement) {
  GuestRecord runtime;
  runtime.handle.pid = 4242;
  runtime.handle.describe = "oxydra-vm pid 4242";
  runtime.state = GuestState::running;
  HealthInputs in;
  in.request_id = "r";
  in.user_id = "alice";
  in.phase = RunnerPhase::running;
  in.startup_status.sandbox_tier = SandboxTier::process;
  in.startup_status.degraded_reasons.push_back({"insecure_process_tier", "no shell-vm"});
  EnforcementReport report;
  report.no_new_privs = true;
  report.seccomp = SeccompState{"filter", "oxydra-process-v1"};
  report.landlock = LandlockState{7, {"write_file"}, {"connect_tcp"}, {"signal"}, "fully_enforced"};
  in.startup_status.enforcement.runtime = report;
  in.runtime = &runtime;
  in.uptime_secs = 125;
  in.runner_pid = 77;
  in.shell_reason = "insecure_process_tier";
  in.browser_reason = "insecure_process_tier";
  const auto json = health_json(in);
  EXPECT_TRUE(json["healthy"]);
  EXPECT_EQ(json["runtime_pid"], 4242);
  EXPECT_EQ(json["tools"]["shell"]["reason"], "insecure_process_tier");
  const std::string table = format_status(json);
  for (const char* expected :
       {"WARNING", "process", "pid 4242", "2m 05s", "disabled (insecure_process_tier)",
        "insecure_process_tier: no shell-vm", "filter (oxydra-process-v1)", "fully_enforced, ABI 7",
        "connect_tcp"}) {
    EXPECT_NE(table.find(expected), std::string::npos) << expected << "\n" << table;
  }
}

}  // namespace
}  // namespace oxydra::runner
