#include "oxydra/sandbox/local_shell_session.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "oxydra/testlib/eventually.h"
#include "oxydra/types/startup_status.h"
#include "test_peer.h"

namespace oxydra::sandbox {
namespace {

using testing::TempDir;

// Whether some process has `arg` as one of its arguments.
bool running_with_arg(const std::string& arg) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string part;
    while (std::getline(in, part, '\0')) {
      if (part == arg) return true;
    }
  }
  return false;
}

// Killed processes vanish asynchronously; the limit only turns a hang into a failure.
bool gone(const std::string& arg) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (running_with_arg(arg)) {
    if (std::chrono::steady_clock::now() > limit) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

class LocalSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(session_.spawn(SpawnOptions{.cwd = dir_.path(), .env = {{"GREETING", "hi"}}}));
  }

  ExecResult run(const std::string& command) {
    auto result = session_.exec(ExecOptions{.command = command});
    EXPECT_TRUE(result) << result.error().message;
    return result ? *result : ExecResult{};
  }

  TempDir dir_;
  LocalProcessShellSession session_;
};

TEST_F(LocalSessionTest, SeparatesStreamsAndReportsExitCodes) {
  auto result = run("echo out; echo err >&2; exit 3");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_FALSE(result.signal);
  EXPECT_EQ(result.stdout_text, "out\n");
  EXPECT_EQ(result.stderr_text, "err\n");
  EXPECT_EQ(result.stdout_bytes, 4u);
  EXPECT_EQ(result.cwd, dir_.path());

  EXPECT_EQ(run("no-such-command-xyz").exit_code, 127);
  auto killed = run("kill -9 $$");
  EXPECT_FALSE(killed.exit_code);
  EXPECT_EQ(killed.signal, SIGKILL);
}

TEST_F(LocalSessionTest, KeepsCwdAndExportedEnvironment) {
  EXPECT_EQ(run("echo $GREETING").stdout_text, "hi\n");
  ASSERT_EQ(run("mkdir sub && cd sub && export ANSWER=42 && LOCAL_ONLY=1").exit_code, 0);
  auto after = run("pwd; echo ${ANSWER}-${LOCAL_ONLY:-unset}");
  EXPECT_EQ(after.stdout_text, dir_.path() + "/sub\n42-unset\n");
  EXPECT_EQ(after.cwd, dir_.path() + "/sub");
  // A failing command still leaves its state behind, like a real shell.
  run("cd .. && export ANSWER=43 && false");
  EXPECT_EQ(run("pwd; echo $ANSWER").stdout_text, dir_.path() + "\n43\n");
}

TEST_F(LocalSessionTest, DoesNotPassThisProcessEnvironmentOn) {
  ::setenv("OXYDRA_TEST_SECRET", "s3cret", 1);
  EXPECT_EQ(run("echo ${OXYDRA_TEST_SECRET:-absent}").stdout_text, "absent\n");
  ::unsetenv("OXYDRA_TEST_SECRET");
}

TEST_F(LocalSessionTest, FeedsStdin) {
  auto result = session_.exec(ExecOptions{.command = "tr a-z A-Z", .stdin_data = "shout\n"});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->stdout_text, "SHOUT\n");
  // A command that ignores a large stdin must not hurt this process (SIGPIPE).
  auto ignored =
      session_.exec(ExecOptions{.command = "true", .stdin_data = std::string(1 << 20, 'x')});
  ASSERT_TRUE(ignored);
  EXPECT_EQ(ignored->exit_code, 0);
  EXPECT_EQ(run("cat").stdout_text, "");  // stdin is /dev/null otherwise
}

TEST_F(LocalSessionTest, TimeoutKillsTheWholeGroup) {
  auto result = session_.exec(ExecOptions{.command = "sleep 31337.1 & sleep 31337.2; wait",
                                          .timeout = std::chrono::seconds(1)});
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->timed_out);
  EXPECT_FALSE(result->exit_code);
  EXPECT_EQ(result->signal, SIGTERM);
  EXPECT_TRUE(gone("31337.1")) << "a background job outlived its command";
  EXPECT_TRUE(gone("31337.2"));
}

TEST_F(LocalSessionTest, BackgroundJobsDieWithTheCommand) {
  auto result = run("sleep 31337.3 & echo started");
  EXPECT_EQ(result.stdout_text, "started\n");
  EXPECT_TRUE(gone("31337.3"));
}

TEST_F(LocalSessionTest, CancelFromAnotherThread) {
  EXPECT_FALSE(session_.cancel().value());
  Result<ExecResult> result;
  std::atomic<bool> started{false};
  std::thread runner([&] {
    result = session_.exec(ExecOptions{.command = "echo ready; sleep 100",
                                       .on_output = [&](const OutputChunk&) { started = true; }});
  });
  EXPECT_TRUE(testlib::eventually([&] { return started.load(); }, std::chrono::seconds(30)))
      << "started never became true";
  EXPECT_TRUE(session_.cancel().value());
  runner.join();
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(result->stdout_text, "ready\n");  // output printed before the cancel is kept
}

TEST_F(LocalSessionTest, StopTokenCancels) {
  std::stop_source stop;
  std::atomic<bool> started{false};
  std::thread stopper([&] {
    EXPECT_TRUE(testlib::eventually([&] { return started.load(); }, std::chrono::seconds(30)))
        << "started never became true";
    stop.request_stop();
  });
  auto result = session_.exec(ExecOptions{.command = "echo ready; sleep 100",
                                          .on_output = [&](const OutputChunk&) { started = true; },
                                          .stop = stop.get_token()});
  stopper.join();
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->cancelled);
  auto late = session_.exec(ExecOptions{.command = "true", .stop = stop.get_token()});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::cancelled);
}

TEST_F(LocalSessionTest, StreamsOutputInOrderWithOffsets) {
  std::string streamed;
  std::uint64_t next_offset = 0;
  auto result = session_.exec(ExecOptions{
      .command = "for i in 1 2 3; do echo line$i; sleep 0.05; done; printf 'caf\\303\\251'",
      .on_output = [&](const OutputChunk& chunk) {
        if (chunk.stream != OutputStream::stdout_stream) return;
        EXPECT_EQ(chunk.offset, next_offset);
        next_offset += chunk.data.size();
        streamed += chunk.data;
      }});
  ASSERT_TRUE(result);
  EXPECT_EQ(streamed, "line1\nline2\nline3\ncaf\xc3\xa9");
  EXPECT_EQ(result->stdout_text, streamed);
}

TEST_F(LocalSessionTest, BoundsOutputWithHeadAndTail) {
  auto result =
      session_.exec(ExecOptions{.command = "head -c 1000000 /dev/zero | tr '\\0' x; echo; echo END",
                                .max_output_bytes = 1000});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->stdout_bytes, 1000005u);
  EXPECT_EQ(result->stdout_text.size(), 500u);
  EXPECT_EQ(result->truncated_bytes, 1000005u - 500u);
  EXPECT_EQ(result->stdout_text.substr(result->stdout_text.size() - 4), "END\n");
}

TEST_F(LocalSessionTest, InvalidUtf8IsReplaced) {
  auto result = run("printf 'a\\377b'");
  EXPECT_EQ(result.stdout_text,
            "a\xEF\xBF\xBD"
            "b");
}

TEST_F(LocalSessionTest, PullModeLeavesOutputForReadOutput) {
  auto result = session_.exec(
      ExecOptions{.command = "printf hello; printf oops >&2", .collect_output = false});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->stdout_text, "");
  std::string out, err;
  for (int i = 0; i < 10; ++i) {
    auto chunk = session_.read_output(2);
    ASSERT_TRUE(chunk);
    (chunk->stream == OutputStream::stdout_stream ? out : err) += chunk->data;
    if (chunk->eof) break;
  }
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(err, "oops");
  EXPECT_TRUE(session_.read_output(std::nullopt)->eof);
}

TEST_F(LocalSessionTest, RejectsEmptyAndConcurrentCommands) {
  EXPECT_EQ(session_.exec(ExecOptions{.command = "  "}).error().code, ErrorCode::empty_command);
  std::atomic<bool> started{false};
  std::thread runner([&] {
    (void)session_.exec(ExecOptions{.command = "echo go; sleep 100",
                                    .on_output = [&](const OutputChunk&) { started = true; }});
  });
  EXPECT_TRUE(testlib::eventually([&] { return started.load(); }, std::chrono::seconds(30)))
      << "started never became true";
  auto busy = session_.exec(ExecOptions{.command = "true"});
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, ErrorCode::busy);
  ASSERT_TRUE(session_.kill());  // stops the running command and ends the session
  runner.join();
  auto gone = session_.exec(ExecOptions{.command = "true"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::unknown_session);
  EXPECT_FALSE(session_.id());
}

TEST(LocalSession, SpawnWithMissingCwdFailsVisibly) {
  LocalProcessShellSession session;
  auto spawned = session.spawn(SpawnOptions{.cwd = "/no/such/dir"});
  ASSERT_FALSE(spawned);
  EXPECT_EQ(spawned.error().code, ErrorCode::spawn_failed);
  EXPECT_NE(spawned.error().message.find("/no/such/dir"), std::string::npos);
  EXPECT_EQ(session.status().code, degraded::kInsecureProcessTier);
}

}  // namespace
}  // namespace oxydra::sandbox
