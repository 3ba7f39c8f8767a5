// ShellSession through the real shell-daemon over a Unix socket.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "daemon_process.h"
#include "oxydra/sandbox/shell_backend.h"
#include "oxydra/testlib/eventually.h"

namespace oxydra::sandbox {
namespace {

using testing::DaemonProcess;
using testing::TempDir;

class DaemonSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string binary;
    REQUIRE_SHELL_DAEMON(binary);
    daemon_ = std::make_unique<DaemonProcess>(binary, dir_.file("shell.sock"));
    backend_ = open_shell_backend(testing::unix_endpoint(daemon_->socket()),
                                  testing::test_client_options());
    ASSERT_TRUE(backend_->status().available) << backend_->status().detail;
    session_ = backend_->new_session();
    auto spawned = session_->spawn(SpawnOptions{.cwd = dir_.path(), .env = {{"GREETING", "hi"}}});
    ASSERT_TRUE(spawned) << spawned.error().message;
  }

  ExecResult run(const std::string& command) {
    auto result = session_->exec(ExecOptions{.command = command});
    EXPECT_TRUE(result) << command << ": " << result.error().message;
    return result ? *result : ExecResult{};
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<ShellBackend> backend_;
  std::unique_ptr<ShellSession> session_;
};

TEST_F(DaemonSessionTest, SeparatesStreamsAndReportsHowCommandsEnded) {
  auto result = run("echo out; echo err >&2");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.stdout_text, "out\n");
  EXPECT_EQ(result.stderr_text, "err\n");
  EXPECT_EQ(result.stdout_bytes, 4u);
  EXPECT_EQ(result.stderr_bytes, 4u);
  EXPECT_EQ(result.cwd, dir_.path());
  EXPECT_EQ(run("exit 1").exit_code, 1);
  EXPECT_EQ(run("no-such-command-xyz").exit_code, 127);
  auto killed = run("kill -9 $$");
  EXPECT_FALSE(killed.exit_code);
  EXPECT_EQ(killed.signal, SIGKILL);
}

TEST_F(DaemonSessionTest, KeepsCwdAndExportedEnvironment) {
  EXPECT_EQ(run("echo $GREETING").stdout_text, "hi\n");
  ASSERT_EQ(run("mkdir sub && cd sub && export ANSWER=42").exit_code, 0);
  auto after = run("pwd; echo $ANSWER");
  EXPECT_EQ(after.stdout_text, dir_.path() + "/sub\n42\n");
  EXPECT_EQ(after.cwd, dir_.path() + "/sub");
}

TEST_F(DaemonSessionTest, FeedsStdin) {
  auto result = session_->exec(ExecOptions{.command = "tr a-z A-Z", .stdin_data = "shout\n"});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->stdout_text, "SHOUT\n");
}

TEST_F(DaemonSessionTest, StreamsOutputWhileTheCommandRuns) {
  std::string streamed;
  std::uint64_t next_offset = 0;
  int chunks = 0;
  auto result = session_->exec(
      ExecOptions{.command = "for i in 1 2 3 4 5; do echo line$i; sleep 0.05; done; echo oops >&2",
                  .on_output = [&](const OutputChunk& chunk) {
                    ++chunks;
                    if (chunk.stream != OutputStream::stdout_stream) return;
                    EXPECT_EQ(chunk.offset, next_offset);
                    next_offset += chunk.data.size();
                    streamed += chunk.data;
                  }});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(streamed, "line1\nline2\nline3\nline4\nline5\n");
  EXPECT_GE(chunks, 2);
  EXPECT_EQ(result->stdout_text, streamed);
  EXPECT_EQ(result->stderr_text, "oops\n");
}

TEST_F(DaemonSessionTest, BoundsOutputAndCountsWhatWasDropped) {
  auto result = session_->exec(
      ExecOptions{.command = "head -c 1000000 /dev/zero | tr '\\0' x; echo; echo END",
                  .max_output_bytes = 4096});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->stdout_bytes, 1000005u);
  EXPECT_EQ(result->truncated_bytes, result->stdout_bytes - result->stdout_text.size());
  EXPECT_LE(result->stdout_text.size(), 4096u);
  EXPECT_EQ(result->stdout_text.substr(result->stdout_text.size() - 4), "END\n");
}

TEST_F(DaemonSessionTest, PullModeLeavesOutputForReadOutput) {
  auto result = session_->exec(
      ExecOptions{.command = "printf hello; printf oops >&2", .collect_output = false});
  ASSERT_TRUE(result) << result.error().message;
  std::string out, err;
  for (int i = 0; i < 100; ++i) {
    auto chunk = session_->read_output(std::nullopt);
    ASSERT_TRUE(chunk) << chunk.error().message;
    (chunk->stream == OutputStream::stdout_stream ? out : err) += chunk->data;
    if (chunk->eof) break;
  }
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(err, "oops");
}

TEST_F(DaemonSessionTest, TimeoutStopsTheCommand) {
  auto result = session_->exec(ExecOptions{.command = "echo before; sleep 100 & sleep 100; wait",
                                           .timeout = std::chrono::seconds(1)});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->timed_out);
  EXPECT_FALSE(result->exit_code);
  EXPECT_EQ(result->stdout_text, "before\n");
  EXPECT_EQ(run("echo still usable").exit_code, 0);
}

// Waits until the command has printed, so it is surely running.
struct Started {
  std::atomic<bool> flag{false};
  OutputCallback callback() {
    return [this](const OutputChunk&) { flag = true; };
  }
  // Bounded: on a timeout the test fails and goes on to cancel, never hangs.
  void wait() const {
    EXPECT_TRUE(testlib::eventually([this] { return flag.load(); }, std::chrono::seconds(30)))
        << "the command never printed";
  }
};

TEST_F(DaemonSessionTest, CancelFromAnotherThread) {
  Started started;
  Result<ExecResult> result;
  std::thread runner([&] {
    result = session_->exec(
        ExecOptions{.command = "echo ready; sleep 100", .on_output = started.callback()});
  });
  started.wait();
  auto cancelled = session_->cancel();
  runner.join();
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_TRUE(*cancelled);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->cancelled);
  EXPECT_FALSE(result->exit_code);
  EXPECT_EQ(result->stdout_text, "ready\n");
}

TEST_F(DaemonSessionTest, StopTokenCancels) {
  Started started;
  std::stop_source stop;
  std::thread stopper([&] {
    started.wait();
    stop.request_stop();
  });
  auto result = session_->exec(ExecOptions{.command = "echo ready; sleep 100",
                                           .on_output = started.callback(),
                                           .stop = stop.get_token()});
  stopper.join();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->cancelled);
}

TEST_F(DaemonSessionTest, KillStopsTheCommandAndEndsTheSession) {
  Started started;
  Result<ExecResult> result;
  std::thread runner([&] {
    result = session_->exec(
        ExecOptions{.command = "echo ready; sleep 100", .on_output = started.callback()});
  });
  started.wait();
  auto killed = session_->kill();
  runner.join();
  ASSERT_TRUE(killed) << killed.error().message;
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_FALSE(result->exit_code);
  EXPECT_FALSE(session_->id());
  auto after = session_->exec(ExecOptions{.command = "true"});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::unknown_session);
  ASSERT_TRUE(session_->spawn({}));
  EXPECT_EQ(run("echo again").stdout_text, "again\n");
}

TEST_F(DaemonSessionTest, SpawnInAMissingDirectoryFailsVisibly) {
  auto session = backend_->new_session();
  auto spawned = session->spawn(SpawnOptions{.cwd = dir_.file("absent")});
  if (spawned) {
    // The daemon may defer the check to the first command; it must still fail.
    auto result = session->exec(ExecOptions{.command = "pwd"});
    EXPECT_TRUE(!result || result->exit_code != 0);
  }
}

}  // namespace
}  // namespace oxydra::sandbox
