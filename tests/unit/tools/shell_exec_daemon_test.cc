#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "oxydra/sandbox/shell_backend.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/shell_daemon_process.h"
#include "oxydra/tools/registry.h"
#include "oxydra/tools/shell_tool.h"

namespace oxydra::tools {
namespace {

class ShellExecThroughDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string binary = testlib::bin_dir() + "/shell-daemon";
    if (::access(binary.c_str(), X_OK) != 0) {
      OXYDRA_SKIP(binary + " is not built");
    }
    daemon_ = std::make_unique<testlib::ShellDaemonProcess>();
    ASSERT_TRUE(daemon_->started()) << daemon_->log();
    session_ = sandbox::open_shell_session({"unix", daemon_->socket_path()});
    ASSERT_TRUE(session_->status().available) << session_->status().detail;
    ShellToolOptions options;
    options.max_timeout = std::chrono::seconds(60);
    options.spawn.cwd = daemon_->dir().path();
    ASSERT_TRUE(registry_.add(make_shell_exec_tool(session_, options)));
  }
  void TearDown() override {
    session_.reset();
    if (daemon_) daemon_->stop();
  }
  ToolOutput run(const std::string& command, int timeout_secs = 30) {
    return registry_.call("shell_exec", {{"command", command}, {"timeout_secs", timeout_secs}}, {});
  }

  std::unique_ptr<testlib::ShellDaemonProcess> daemon_;
  std::shared_ptr<sandbox::ShellSession> session_;
  Registry registry_;
};

TEST_F(ShellExecThroughDaemon, RunsCommandsInAPersistentSession) {
  auto first = run("echo out; echo err >&2; mkdir -p sub && cd sub && export OXY_T=kept");
  EXPECT_FALSE(first.is_error) << first.text;
  EXPECT_EQ(first.metadata.exit_code, 0);
  EXPECT_NE(first.text.find("[stdout]\nout\n"), std::string::npos) << first.text;
  EXPECT_NE(first.text.find("[stderr]\nerr\n"), std::string::npos) << first.text;

  auto second = run("pwd; echo $OXY_T; exit 3");
  EXPECT_EQ(second.metadata.exit_code, 3);
  EXPECT_NE(second.text.find("exit code 3"), std::string::npos) << second.text;
  EXPECT_NE(second.text.find(daemon_->dir().path() + "/sub\nkept\n"), std::string::npos)
      << second.text;
}

TEST_F(ShellExecThroughDaemon, TimesOutAndTruncates) {
  auto slow = run("echo started; sleep 30", 1);
  EXPECT_TRUE(slow.is_error);
  EXPECT_TRUE(slow.metadata.timed_out);
  EXPECT_NE(slow.text.find("timed out after 1 s"), std::string::npos) << slow.text;
  EXPECT_NE(slow.text.find("started"), std::string::npos) << slow.text;

  auto loud = run("head -c 300000 /dev/zero | tr '\\0' x");
  EXPECT_FALSE(loud.is_error) << loud.text.substr(0, 200);
  EXPECT_GT(loud.metadata.truncated_bytes, 0u);
  EXPECT_NE(loud.text.find("[output truncated: "), std::string::npos);
  EXPECT_LT(loud.text.size(), 300000u);
}

}  // namespace
}  // namespace oxydra::tools
