// Process supervision: timeouts, cancel, kill_session, busy, leftovers,
// detached processes, and the daemon's own shutdown. "No survivors" is
// checked by scanning /proc for the command's process group.

#include <signal.h>
#include <sys/wait.h>

#include "daemon_test_util.h"

namespace oxydra::shell_daemon_test {
namespace {

using ProcessTest = DaemonTest;

// Starts a streaming command whose first output line is its shell's pid
// (which is also its process group id).
pid_t start_with_pgid(FrameClient& c, const std::string& session, const std::string& request_id,
                      const std::string& rest, json extra = json::object()) {
  extra["request_id"] = request_id;
  extra["session_id"] = session;
  extra["command"] = "echo $$; " + rest;
  extra["stream"] = true;
  EXPECT_TRUE(c.send("exec_command", extra));
  auto first = first_output(c, request_id);
  EXPECT_TRUE(first) << "no output from " << rest;
  return first ? std::stoi(first->at("data").get<std::string>()) : -1;
}

json wait_exec_reply(FrameClient& c, const std::string& request_id) {
  auto reply = c.recv_reply(request_id, 120s);
  EXPECT_TRUE(reply) << "no reply for " << request_id;
  if (!reply) return json::object();
  EXPECT_EQ(reply->op, "exec_command") << reply->payload.dump();
  return reply->payload;
}

// A client that said hello gets a timed-out command's reply (a client that did
// not gets the original daemon's error instead: OriginalClient.*).
void say_hello(FrameClient& c) {
  auto hello = c.request("hello", {{"request_id", "hi"}, {"protocol_version", 1}, {"client", "t"}});
  ASSERT_TRUE(hello && hello->op == "hello");
}

TEST_F(ProcessTest, TimeoutKillsTheWholeGroupAndLeavesNoProcess) {
  say_hello(*client_);
  auto s = spawn_session(*client_);
  const pid_t pgid =
      start_with_pgid(*client_, s, "t-1", "sleep 100 & sleep 100; wait", {{"timeout_secs", 1}});
  ASSERT_GT(pgid, 1);
  auto reply = wait_exec_reply(*client_, "t-1");
  EXPECT_EQ(reply["timed_out"], true) << reply.dump();
  EXPECT_TRUE(reply["exit_code"].is_null());
  EXPECT_EQ(reply["signal"], SIGTERM);
  EXPECT_TRUE(survivors_in_group(pgid).empty());
  // Output printed before the timeout is kept.
  EXPECT_EQ(pull(*client_, s).out, std::to_string(pgid) + "\n");
}

TEST_F(ProcessTest, TermIgnoringCommandsAreKilledAfterTheGrace) {
  start({"--kill-grace-ms", "300"});
  say_hello(*client_);
  auto s = spawn_session(*client_);
  const pid_t pgid = start_with_pgid(*client_, s, "t-2",
                                     "trap '' TERM; sh -c 'trap \"\" TERM; sleep 100' & sleep 100",
                                     {{"timeout_secs", 1}});
  auto reply = wait_exec_reply(*client_, "t-2");
  EXPECT_EQ(reply["timed_out"], true);
  EXPECT_EQ(reply["signal"], SIGKILL);
  EXPECT_TRUE(survivors_in_group(pgid).empty());
}

TEST_F(ProcessTest, CancelStopsTheCommandAndAnswersBoth) {
  auto s = spawn_session(*client_);
  const pid_t pgid = start_with_pgid(*client_, s, "c-1", "sleep 100 & sleep 100");
  auto cancel = client_->request("cancel", {{"request_id", "c-2"}, {"target_request_id", "c-1"}});
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->op, "cancel");
  EXPECT_EQ(cancel->payload["cancelled"], true);
  auto reply = wait_exec_reply(*client_, "c-1");
  EXPECT_EQ(reply["cancelled"], true);
  EXPECT_EQ(reply["timed_out"], false);
  EXPECT_EQ(reply["signal"], SIGTERM);
  EXPECT_TRUE(survivors_in_group(pgid).empty());
  // Nothing to cancel: unknown or finished requests.
  auto none = client_->request("cancel", {{"request_id", "c-3"}, {"target_request_id", "c-1"}});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->payload["cancelled"], false);
}

TEST_F(ProcessTest, CancelOnlyReachesRequestsOfTheSameConnection) {
  auto s = spawn_session(*client_);
  const pid_t pgid = start_with_pgid(*client_, s, "own-1", "sleep 100");
  auto other = connect();
  auto cancel = other.request("cancel", {{"request_id", "c-x"}, {"target_request_id", "own-1"}});
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->payload["cancelled"], false);
  auto mine = client_->request("cancel", {{"request_id", "c-y"}, {"target_request_id", "own-1"}});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->payload["cancelled"], true);
  wait_exec_reply(*client_, "own-1");
  EXPECT_TRUE(survivors_in_group(pgid).empty());
}

TEST_F(ProcessTest, KillSessionFromAnotherConnectionStopsItsCommand) {
  auto s = spawn_session(*client_);
  const pid_t pgid = start_with_pgid(*client_, s, "k-1", "sleep 100 & sleep 100");
  auto other = connect();
  auto killed = other.request("kill_session", {{"request_id", "k-2"}, {"session_id", s}});
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->payload["killed"], true);
  // The group is gone by the time kill_session answers.
  EXPECT_TRUE(testlib::find_processes([&](const auto& p) {
                return p.pgid == pgid && p.state != 'Z';
              }).empty());
  auto reply = wait_exec_reply(*client_, "k-1");
  EXPECT_EQ(reply["cancelled"], true);
  EXPECT_TRUE(survivors_in_group(pgid).empty());
  auto gone = client_->request("exec_command",
                               {{"request_id", "k-3"}, {"session_id", s}, {"command", "true"}});
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->payload["code"], "unknown_session");
  auto again = client_->request("kill_session", {{"request_id", "k-4"}, {"session_id", s}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->payload["killed"], false);
}

TEST_F(ProcessTest, SecondCommandInABusySessionIsRefused) {
  auto s = spawn_session(*client_);
  const pid_t pgid = start_with_pgid(*client_, s, "b-1", "sleep 100");
  auto busy = client_->request("exec_command",
                               {{"request_id", "b-2"}, {"session_id", s}, {"command", "true"}});
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->op, "error");
  EXPECT_EQ(busy->payload["code"], "busy");
  EXPECT_EQ(busy->payload["request_id"], "b-2");
  // Other requests are served while the command runs.
  auto hello =
      client_->request("hello", {{"request_id", "b-3"}, {"protocol_version", 1}, {"client", "t"}});
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->op, "hello");
  auto list = client_->request("list_sessions", {{"request_id", "b-4"}});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->payload["sessions"][0]["running"], true);
  client_->request("cancel", {{"request_id", "b-5"}, {"target_request_id", "b-1"}});
  wait_exec_reply(*client_, "b-1");
  EXPECT_TRUE(survivors_in_group(pgid).empty());
}

TEST_F(ProcessTest, BackgroundJobsAreKilledWhenTheShellExits) {
  auto s = spawn_session(*client_);
  auto reply = exec(*client_, s, "sleep 100 & echo $!");
  EXPECT_EQ(reply["exit_code"], 0);
  const pid_t job = std::stoi(pull(*client_, s).out);
  EXPECT_TRUE(testlib::wait_until_none([job](const auto& p) { return p.pid == job; }).empty());
}

TEST_F(ProcessTest, DetachedProcessHoldingThePipeDoesNotDelayTheReply) {
  auto s = spawn_session(*client_);
  auto reply =
      exec(*client_, s, "setsid sh -c 'echo $$; exec sleep 100' & sleep 0.2; echo shell-done");
  EXPECT_EQ(reply["exit_code"], 0);
  auto out = pull(*client_, s).out;
  EXPECT_NE(out.find("shell-done"), std::string::npos) << out;
  const pid_t detached = std::stoi(out);
  auto info = testlib::read_proc(detached);
  ASSERT_TRUE(info) << "the detached process should survive: it left on purpose";
  EXPECT_EQ(info->sid, detached);
  ::kill(detached, SIGKILL);
}

TEST_F(ProcessTest, SigtermToTheDaemonKillsRunningCommandsAndExitsZero) {
  auto s1 = spawn_session(*client_);
  auto s2 = spawn_session(*client_);
  const pid_t g1 = start_with_pgid(*client_, s1, "d-1", "sleep 100 & sleep 100");
  const pid_t g2 = start_with_pgid(*client_, s2, "d-2", "trap '' TERM; sleep 100");
  auto status = daemon_->stop(SIGTERM, 60s);
  ASSERT_TRUE(status) << "daemon did not exit";
  EXPECT_TRUE(WIFEXITED(*status)) << *status;
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_TRUE(survivors_in_group(g1).empty());
  EXPECT_TRUE(survivors_in_group(g2).empty());
  EXPECT_FALSE(testlib::wait_for_path(daemon_->socket_path(), 0ms)) << "socket left behind";
}

}  // namespace
}  // namespace oxydra::shell_daemon_test
