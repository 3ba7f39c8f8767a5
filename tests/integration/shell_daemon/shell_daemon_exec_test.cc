// Running commands: exit status, output streams, session state, environment.

#include <sys/stat.h>
#include <unistd.h>

#include "daemon_test_util.h"

namespace oxydra::shell_daemon_test {
namespace {

using ExecTest = DaemonTest;

TEST_F(ExecTest, HelloReportsVersionCapabilitiesAndLimits) {
  auto reply = client_->request(
      "hello", {{"request_id", "h-1"}, {"protocol_version", 1}, {"client", "test"}});
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->op, "hello");
  EXPECT_EQ(reply->payload["request_id"], "h-1");
  EXPECT_EQ(reply->payload["protocol_version"], 1);
  EXPECT_FALSE(reply->payload["capabilities"].empty());
  EXPECT_EQ(reply->payload["limits"]["max_frame_bytes"], 8u << 20);
  EXPECT_EQ(reply->payload["limits"]["max_output_bytes"], 64u << 10);
  EXPECT_GE(reply->payload["limits"]["max_sessions"].get<int>(), 64);
}

TEST_F(ExecTest, StdoutAndStderrAreSeparate) {
  auto s = spawn_session(*client_);
  auto reply = exec(*client_, s, "echo out; echo err >&2; echo out2");
  EXPECT_EQ(reply["accepted"], true);
  EXPECT_EQ(reply["exit_code"], 0);
  EXPECT_TRUE(reply["signal"].is_null());
  EXPECT_EQ(reply["stdout_bytes"], 9);
  EXPECT_EQ(reply["stderr_bytes"], 4);
  EXPECT_EQ(reply["truncated_bytes"], 0);
  auto out = pull(*client_, s);
  EXPECT_EQ(out.out, "out\nout2\n");
  EXPECT_EQ(out.err, "err\n");
}

TEST_F(ExecTest, ExitCodesZeroOneAndCommandNotFound) {
  auto s = spawn_session(*client_);
  EXPECT_EQ(exec(*client_, s, "true")["exit_code"], 0);
  EXPECT_EQ(exec(*client_, s, "false")["exit_code"], 1);
  auto missing = exec(*client_, s, "no-such-command-oxydra");
  EXPECT_EQ(missing["exit_code"], 127);
  EXPECT_NE(pull(*client_, s).err.find("not found"), std::string::npos);
  EXPECT_EQ(exec(*client_, s, "exit 42")["exit_code"], 42);
}

TEST_F(ExecTest, DeathBySignalReportsTheSignalAndNoExitCode) {
  auto s = spawn_session(*client_);
  auto reply = exec(*client_, s, "kill -9 $$");
  EXPECT_TRUE(reply["exit_code"].is_null()) << reply.dump();
  EXPECT_EQ(reply["signal"], 9);
  EXPECT_EQ(reply["timed_out"], false);
  // The session survives its shell's death.
  EXPECT_EQ(exec(*client_, s, "true")["exit_code"], 0);
}

TEST_F(ExecTest, CwdAndExportsPersistBetweenCommands) {
  testlib::TempDir dir;
  auto s = spawn_session(*client_, {{"cwd", dir.path()}, {"env", {{"GREETING", "hi there"}}}});
  auto first = exec(*client_, s, "mkdir sub && cd sub && export FOO='a b'\\''c' && unset GREETING");
  EXPECT_EQ(first["exit_code"], 0);
  EXPECT_EQ(first["cwd"], dir.path() + "/sub");
  pull(*client_, s);
  auto second = exec(*client_, s, "pwd; echo \"$FOO\"; echo \"${GREETING-unset}\"");
  EXPECT_EQ(pull(*client_, s).out, dir.path() + "/sub\na b'c\nunset\n");
  EXPECT_EQ(second["cwd"], dir.path() + "/sub");
  // `exit` inside the command still records the state.
  exec(*client_, s, "cd .. && export BAR=1 && exit 3");
  exec(*client_, s, "pwd; echo $BAR");
  EXPECT_EQ(pull(*client_, s).out, dir.path() + "\n1\n");
  // list_sessions shows the current directory.
  auto list = client_->request("list_sessions", {{"request_id", next_id()}});
  ASSERT_TRUE(list);
  bool found = false;
  for (const auto& entry : list->payload["sessions"]) {
    if (entry["session_id"] == s) {
      found = true;
      EXPECT_EQ(entry["cwd"], dir.path());
      EXPECT_EQ(entry["running"], false);
    }
  }
  EXPECT_TRUE(found) << list->payload.dump();
}

// The state a command leaves is bounded (1 MiB): past it the session keeps
// the state it had, and the next command still runs.
TEST_F(ExecTest, StateOverItsBoundKeepsThePreviousState) {
  testlib::TempDir dir;
  auto s = spawn_session(*client_, {{"cwd", dir.path()}});
  exec(*client_, s, "export KEPT=yes");
  auto big =
      exec(*client_, s,
           "mkdir -p sub && cd sub && export HUGE=$(head -c 2000000 /dev/zero | tr '\\0' x)");
  EXPECT_EQ(big["exit_code"], 0);
  EXPECT_EQ(big["cwd"], dir.path());
  pull(*client_, s);
  exec(*client_, s, "echo \"${HUGE:+set}|$KEPT|$(pwd)\"");
  EXPECT_EQ(pull(*client_, s).out, "|yes|" + dir.path() + "\n");
}

TEST_F(ExecTest, InitialEnvAndPositionalParameters) {
  auto s = spawn_session(*client_, {{"env", {{"ONE", "1"}}}});
  exec(*client_, s, "echo \"$ONE\" \"$#\" \"$1\"");
  EXPECT_EQ(pull(*client_, s).out, "1 0 \n");
}

TEST_F(ExecTest, CwdThatDoesNotExistFailsVisibly) {
  auto reply =
      client_->request("spawn_session", {{"request_id", "s-bad"}, {"cwd", "/no/such/dir"}});
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->op, "error");
  EXPECT_EQ(reply->payload["code"], "spawn_failed");
  EXPECT_NE(reply->payload["message"].get<std::string>().find("/no/such/dir"), std::string::npos);
  // A directory that disappears later fails at exec, not silently elsewhere.
  testlib::TempDir dir;
  ::mkdir(dir.file("gone").c_str(), 0700);
  auto s = spawn_session(*client_, {{"cwd", dir.file("gone")}});
  ::rmdir(dir.file("gone").c_str());
  auto failed = client_->request("exec_command",
                                 {{"request_id", "e-gone"}, {"session_id", s}, {"command", "pwd"}});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->op, "error");
  EXPECT_EQ(failed->payload["code"], "spawn_failed");
}

TEST_F(ExecTest, StdinIsDevNullUnlessGiven) {
  auto s = spawn_session(*client_);
  exec(*client_, s, "cat; echo done");
  EXPECT_EQ(pull(*client_, s).out, "done\n");
  exec(*client_, s, "tr a-z A-Z", {{"stdin", "hello\nworld\n"}});
  EXPECT_EQ(pull(*client_, s).out, "HELLO\nWORLD\n");
  // Input the command never reads does not hold the reply.
  auto reply = exec(*client_, s, "true", {{"stdin", std::string(1 << 20, 'x')}});
  EXPECT_EQ(reply["exit_code"], 0);
}

TEST_F(ExecTest, CommandsInheritNoDescriptorsSignalMaskOrIgnoredSignals) {
  auto s = spawn_session(*client_);
  exec(*client_, s, "ls /proc/self/fd | sort -n | tr '\\n' ' '");
  // 0-2, plus the directory ls itself has open.
  EXPECT_EQ(pull(*client_, s).out, "0 1 2 3 ");
  exec(*client_, s, "grep -E '^Sig(Blk|Ign)' /proc/self/status");
  EXPECT_EQ(pull(*client_, s).out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

TEST_F(ExecTest, InvalidUtf8IsReplaced) {
  auto s = spawn_session(*client_);
  exec(*client_, s, "printf 'ok \\377 \\342\\202\\254\\n'");
  EXPECT_EQ(pull(*client_, s).out, "ok \xEF\xBF\xBD \xE2\x82\xAC\n");
}

TEST_F(ExecTest, NewExecReplacesUndrainedOutput) {
  auto s = spawn_session(*client_);
  exec(*client_, s, "echo first");
  exec(*client_, s, "echo second");
  EXPECT_EQ(pull(*client_, s).out, "second\n");
  auto empty = pull(*client_, s);
  EXPECT_EQ(empty.out, "");
  EXPECT_EQ(empty.chunks, 1);
}

// Oxydra's original client: spawn_session; exec_command reading only
// `accepted`; stream_output until eof; kill_session. Null optionals as serde sends them.
TEST_F(ExecTest, OxydraOriginalClientFlowWorksUnchanged) {
  auto spawned = client_->request(
      "spawn_session",
      {{"request_id", "req-1"}, {"shell", nullptr}, {"cwd", nullptr}, {"env", json::object()}});
  ASSERT_TRUE(spawned);
  ASSERT_EQ(spawned->op, "spawn_session");
  const std::string session = spawned->payload["session_id"];
  EXPECT_EQ(session.rfind("session-", 0), 0u);
  auto ack = client_->request("exec_command", {{"request_id", "req-2"},
                                               {"session_id", session},
                                               {"command", "echo hello; echo warn >&2"},
                                               {"timeout_secs", nullptr}});
  ASSERT_TRUE(ack);
  ASSERT_EQ(ack->op, "exec_command");
  EXPECT_EQ(ack->payload["accepted"], true);
  std::string out, err;
  for (int i = 0; i < 100; ++i) {
    auto chunk = client_->request("stream_output", {{"request_id", "req-3-" + std::to_string(i)},
                                                    {"session_id", session},
                                                    {"max_bytes", nullptr}});
    ASSERT_TRUE(chunk);
    ASSERT_EQ(chunk->op, "stream_output");
    (chunk->payload["stream"] == "stdout" ? out : err) += chunk->payload["data"].get<std::string>();
    if (chunk->payload["eof"]) break;
  }
  EXPECT_EQ(out, "hello\n");
  EXPECT_EQ(err, "warn\n");
  auto killed =
      client_->request("kill_session", {{"request_id", "req-4"}, {"session_id", session}});
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->op, "kill_session");
  EXPECT_EQ(killed->payload["killed"], true);
}

TEST_F(ExecTest, SessionsBelongToTheDaemonNotTheConnection) {
  auto s = spawn_session(*client_);
  exec(*client_, s, "cd / && export KEPT=yes");
  client_.reset();
  auto other = connect();
  exec(other, s, "echo $KEPT; pwd");
  EXPECT_EQ(pull(other, s).out, "yes\n/\n");
}

TEST_F(ExecTest, SessionIdsAreNeverReused) {
  auto a = spawn_session(*client_);
  auto killed = client_->request("kill_session", {{"request_id", next_id()}, {"session_id", a}});
  ASSERT_TRUE(killed);
  auto b = spawn_session(*client_);
  EXPECT_EQ(a, "session-000001");
  EXPECT_EQ(b, "session-000002");
}

TEST_F(ExecTest, OtherShellsWork) {
  if (::access("/bin/bash", X_OK) != 0) GTEST_SKIP() << "no /bin/bash";
  auto s = spawn_session(*client_, {{"shell", "/bin/bash"}});
  exec(*client_, s, "cd /tmp && export X=\"q\\\"uote\"");
  exec(*client_, s, "echo $BASH_VERSION | cut -c1; pwd; echo \"$X\"");
  auto out = pull(*client_, s).out;
  EXPECT_NE(out.find("/tmp\nq\"uote\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace oxydra::shell_daemon_test
