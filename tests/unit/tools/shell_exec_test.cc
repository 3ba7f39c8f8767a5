#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <stop_token>

#include "oxydra/tools/registry.h"
#include "oxydra/tools/shell_tool.h"

namespace oxydra::tools {
namespace {

// A scripted ShellSession: answers exec() from a queue and records the calls.
class FakeShellSession final : public sandbox::ShellSession {
 public:
  sandbox::Availability status() const override {
    std::lock_guard lock(mu_);
    return status_;
  }
  Result<void> spawn(const sandbox::SpawnOptions& options) override {
    std::lock_guard lock(mu_);
    ++spawns;
    spawn_cwd = options.cwd;
    return {};
  }
  Result<sandbox::ExecResult> exec(const sandbox::ExecOptions& options) override {
    std::lock_guard lock(mu_);
    commands.push_back(options.command);
    timeouts.push_back(options.timeout);
    stop_possible = options.stop.stop_possible();
    if (replies.empty()) return fail(ErrorCode::internal, "no scripted reply");
    auto reply = std::move(replies.front());
    replies.pop_front();
    return reply;
  }
  Result<sandbox::OutputChunk> read_output(std::optional<std::uint64_t>) override {
    return sandbox::OutputChunk{.eof = true};
  }
  Result<bool> cancel() override { return false; }
  Result<void> kill() override { return {}; }
  std::optional<std::string> id() const override { return "session-000001"; }

  void set_status(sandbox::Availability a) {
    std::lock_guard lock(mu_);
    status_ = std::move(a);
  }

  mutable std::mutex mu_;
  sandbox::Availability status_ = sandbox::Availability::ok();
  int spawns = 0;
  std::optional<std::string> spawn_cwd;
  std::vector<std::string> commands;
  std::vector<std::optional<std::chrono::seconds>> timeouts;
  bool stop_possible = false;
  std::deque<Result<sandbox::ExecResult>> replies;
};

sandbox::ExecResult exited(int code, std::string out, std::string err = {}) {
  sandbox::ExecResult r;
  r.exit_code = code;
  r.stdout_bytes = out.size();
  r.stderr_bytes = err.size();
  r.stdout_text = std::move(out);
  r.stderr_text = std::move(err);
  r.cwd = "/work";
  return r;
}

class ShellExec : public ::testing::Test {
 protected:
  void SetUp() override {
    ShellToolOptions options;
    options.default_timeout = std::chrono::seconds(30);
    options.max_timeout = std::chrono::seconds(300);
    options.spawn.cwd = "/work";
    ASSERT_TRUE(registry_.add(make_shell_exec_tool(session_, options)));
  }
  ToolOutput call(const nlohmann::json& args, const ToolContext& ctx = {}) {
    return registry_.call("shell_exec", args, ctx);
  }

  std::shared_ptr<FakeShellSession> session_ = std::make_shared<FakeShellSession>();
  Registry registry_;
};

TEST_F(ShellExec, RunsInOneLazilySpawnedSession) {
  EXPECT_EQ(session_->spawns, 0);
  session_->replies.push_back(exited(0, "hello\n"));
  session_->replies.push_back(exited(2, "", "ls: nope: No such file\n"));

  ToolContext ctx;
  std::stop_source stop;
  ctx.stop = stop.get_token();
  auto first = call({{"command", "echo hello"}}, ctx);
  EXPECT_FALSE(first.is_error);
  EXPECT_EQ(first.text, "exit code 0 (cwd /work)\n[stdout]\nhello\n");
  EXPECT_EQ(first.metadata.exit_code, 0);
  EXPECT_EQ(first.metadata.stdout_bytes, 6u);
  EXPECT_TRUE(session_->stop_possible);

  auto second = call({{"command", "ls nope"}, {"timeout_secs", 5}});
  EXPECT_FALSE(second.is_error);  // a failing command is a result, not a tool error
  EXPECT_EQ(second.text, "exit code 2 (cwd /work)\n[stderr]\nls: nope: No such file\n");
  EXPECT_EQ(second.metadata.exit_code, 2);

  EXPECT_EQ(session_->spawns, 1);
  EXPECT_EQ(session_->spawn_cwd, "/work");
  EXPECT_EQ(session_->commands, (std::vector<std::string>{"echo hello", "ls nope"}));
  EXPECT_EQ(session_->timeouts[0], std::chrono::seconds(30));
  EXPECT_EQ(session_->timeouts[1], std::chrono::seconds(5));
}

TEST_F(ShellExec, ReportsTimeoutsSignalsAndTruncation) {
  auto timed_out = exited(0, "partial");
  timed_out.exit_code.reset();
  timed_out.signal = 15;
  timed_out.timed_out = true;
  session_->replies.push_back(timed_out);
  auto out = call({{"command", "sleep 100"}, {"timeout_secs", 1}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.text,
            "timed out after 1 s; the command was stopped (cwd /work)\n"
            "[stdout]\npartial\n");
  EXPECT_TRUE(out.metadata.timed_out);
  EXPECT_EQ(out.metadata.error_code, "timed_out");

  auto killed = exited(0, "");
  killed.exit_code.reset();
  killed.signal = 9;
  session_->replies.push_back(killed);
  auto sig = call({{"command", "kill -9 $$"}});
  EXPECT_EQ(sig.text, "killed by signal 9 (SIGKILL) (cwd /work)\n(no output)\n");
  EXPECT_EQ(sig.metadata.signal, 9);

  auto big = exited(0, "head...tail", "");
  big.truncated_bytes = 1000;
  session_->replies.push_back(big);
  auto truncated = call({{"command", "yes | head -c 2000"}});
  EXPECT_NE(truncated.text.find("[output truncated: 1000 bytes were left out"), std::string::npos)
      << truncated.text;
  EXPECT_EQ(truncated.metadata.truncated_bytes, 1000u);
}

TEST_F(ShellExec, InvalidArgumentsNeverReachTheSession) {
  auto empty = call({{"command", ""}});
  EXPECT_TRUE(empty.is_error);
  EXPECT_EQ(empty.text, "shell_exec: argument \"command\" must be a non-empty string");
  auto too_long = call({{"command", "ls"}, {"timeout_secs", 301}});
  EXPECT_EQ(too_long.text,
            "shell_exec: argument \"timeout_secs\" must be an integer from 1 to 300");
  EXPECT_EQ(session_->spawns, 0);
  EXPECT_TRUE(session_->commands.empty());
}

TEST_F(ShellExec, DisabledWithTheSessionsReason) {
  session_->set_status(sandbox::Availability::unavailable(
      "sidecar_connection_failed", "connect /w/ipc/shell.sock: Connection refused"));
  auto out = call({{"command", "ls"}});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.text,
            "shell_exec is disabled (sidecar_connection_failed): connect /w/ipc/shell.sock: "
            "Connection refused");
  EXPECT_EQ(registry_.status()[0]["reason"], "sidecar_connection_failed");
  EXPECT_TRUE(session_->commands.empty());

  session_->set_status(sandbox::Availability::ok());
  session_->replies.push_back(exited(0, "ok\n"));
  EXPECT_FALSE(call({{"command", "ls"}}).is_error);
}

TEST_F(ShellExec, SessionErrorsReachTheModelAndALostSessionIsRespawned) {
  session_->replies.push_back(fail(ErrorCode::connection_lost, "shell daemon connection lost"));
  auto lost = call({{"command", "make"}});
  EXPECT_TRUE(lost.is_error);
  EXPECT_EQ(lost.text, "shell_exec failed: shell daemon connection lost");

  session_->replies.push_back(fail(ErrorCode::unknown_session, "no session session-000001"));
  session_->replies.push_back(exited(0, "again\n"));
  auto retried = call({{"command", "echo again"}});
  EXPECT_FALSE(retried.is_error) << retried.text;
  EXPECT_EQ(session_->spawns, 2);
}

}  // namespace
}  // namespace oxydra::tools
