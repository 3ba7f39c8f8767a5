// The RPC client against an in-test daemon: correlation by request_id, many
// threads on one connection, reconnects that never deliver a stale reply.
#include "oxydra/sandbox/daemon_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "oxydra/sandbox/daemon_shell_session.h"
#include "oxydra/testlib/eventually.h"
#include "test_peer.h"

namespace oxydra::sandbox {
namespace {

using testing::BasicDaemon;
using testing::PeerConnection;
using testing::TempDir;
using testing::TestPeer;

nlohmann::json exec_reply(const std::string& id, int exit_code, const std::string& cwd = "/") {
  return {{"request_id", id},     {"accepted", true}, {"exit_code", exit_code}, {"signal", nullptr},
          {"timed_out", false},   {"duration_ms", 1}, {"stdout_bytes", 0},      {"stderr_bytes", 0},
          {"truncated_bytes", 0}, {"cwd", cwd}};
}

std::string id_of(const Message& m) {
  return m.payload.value("request_id", "");
}

TEST(DaemonClient, OutOfOrderRepliesReachTheirOwnCallers) {
  constexpr int kCalls = 6;
  TempDir dir;
  TestPeer peer(dir.file("d.sock"), [](PeerConnection& conn, int) {
    std::vector<Message> held;
    BasicDaemon daemon;
    daemon.hook = [&](PeerConnection& c, const Message& m) {
      if (m.op != "exec_command") return false;
      held.push_back(m);
      if (held.size() < kCalls) return true;
      for (auto it = held.rbegin(); it != held.rend(); ++it) {
        c.write_message("exec_command",
                        exec_reply(id_of(*it), 0, it->payload.value("command", "")));
      }
      return true;
    };
    daemon.serve(conn);
  });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  std::vector<std::thread> threads;
  std::atomic<int> matched{0};
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      const std::string command = "command-" + std::to_string(i);
      auto reply = client->call("exec_command", {{"session_id", "s"}, {"command", command}});
      if (reply && reply->payload.value("cwd", "") == command) ++matched;
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(matched.load(), kCalls);
}

TEST(DaemonClient, ManyThreadsShareOneConnection) {
  TempDir dir;
  TestPeer peer(dir.file("d.sock"), [](PeerConnection& conn, int) { BasicDaemon{}.serve(conn); });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      DaemonShellSession session(client);
      if (!session.spawn({})) return;
      for (int i = 0; i < 40; ++i) {
        const std::string command = "echo " + std::to_string(t) + "-" + std::to_string(i);
        auto result =
            session.exec(ExecOptions{.command = command, .on_output = [](const OutputChunk&) {}});
        if (result && result->stdout_text == command) ++ok;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(ok.load(), 8 * 40);
  EXPECT_EQ(client->connections(), 1u);
}

TEST(DaemonClient, DroppedConnectionFailsInFlightRequestsAndReconnects) {
  TempDir dir;
  auto state = std::make_shared<testing::DaemonState>();  // one daemon, two connections
  TestPeer peer(dir.file("d.sock"), [&](PeerConnection& conn, int index) {
    BasicDaemon daemon;
    daemon.state = state;
    if (index == 0) {
      daemon.hook = [](PeerConnection& c, const Message& m) {
        if (m.op == "exec_command") c.close();  // the daemon dies mid-command
        return m.op == "exec_command";
      };
    }
    daemon.serve(conn);
  });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  DaemonShellSession session(client);
  ASSERT_TRUE(session.spawn({}));

  auto lost = session.exec(ExecOptions{.command = "sleep 100"});
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::connection_lost);
  EXPECT_NE(lost.error().message.find("may or may not have run"), std::string::npos);

  auto again = session.exec(ExecOptions{.command = "true"});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->exit_code, 0);
  EXPECT_EQ(session.id(), "session-1");  // the session id survives the reconnect
  EXPECT_EQ(client->connections(), 2u);
  EXPECT_TRUE(client->status().available);
}

// After a reconnect the daemon (wrongly) sends a reply for a request of the
// dead connection: it must not be taken for the reply to the new request.
TEST(DaemonClient, StaleReplyAfterReconnectIsNeverDelivered) {
  TempDir dir;
  std::mutex mu;
  std::string stale_id;
  auto state = std::make_shared<testing::DaemonState>();
  TestPeer peer(dir.file("d.sock"), [&](PeerConnection& conn, int index) {
    BasicDaemon daemon;
    daemon.state = state;
    daemon.hook = [&, index](PeerConnection& c, const Message& m) {
      if (m.op != "exec_command") return false;
      std::lock_guard lock(mu);
      if (index == 0) {
        stale_id = id_of(m);
        c.close();
        return true;
      }
      EXPECT_NE(id_of(m), stale_id);  // ids are never reused
      c.write_message("exec_command", exec_reply(stale_id, 99));
      c.write_message("exec_command", exec_reply(id_of(m), 0));
      return true;
    };
    daemon.serve(conn);
  });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  DaemonShellSession session(client);
  ASSERT_TRUE(session.spawn({}));
  EXPECT_FALSE(session.exec(ExecOptions{.command = "first"}));
  auto second = session.exec(ExecOptions{.command = "second"});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->exit_code, 0);
}

TEST(DaemonClient, TimedOutRequestFailsAndItsLateReplyIsDropped) {
  TempDir dir;
  TestPeer peer(dir.file("d.sock"), [](PeerConnection& conn, int) {
    std::string slow;
    BasicDaemon daemon;
    daemon.hook = [&](PeerConnection& c, const Message& m) {
      if (m.op != "exec_command") return false;
      if (slow.empty()) {
        slow = id_of(m);
        return true;
      }
      c.write_message("exec_command", exec_reply(slow, 99));
      c.write_message("exec_command", exec_reply(id_of(m), 0));
      return true;
    };
    daemon.serve(conn);
  });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  CallOptions quick;
  quick.timeout = std::chrono::milliseconds(50);
  auto timed_out = client->call("exec_command", {{"session_id", "s"}, {"command", "slow"}}, quick);
  ASSERT_FALSE(timed_out);
  EXPECT_EQ(timed_out.error().code, ErrorCode::request_timeout);
  auto next = client->call("exec_command", {{"session_id", "s"}, {"command", "fast"}});
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->payload.value("exit_code", -1), 0);
}

TEST(DaemonClient, ErrorRepliesCarryTheDaemonsCode) {
  TempDir dir;
  TestPeer peer(dir.file("d.sock"), [](PeerConnection& conn, int) { BasicDaemon{}.serve(conn); });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  auto reply = client->call("no_such_op", nlohmann::json::object());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::unknown_op);
  client->close();
  auto closed = client->call("hello", nlohmann::json::object());
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code, ErrorCode::connection_lost);
  EXPECT_FALSE(client->status().available);
}

// The daemon holds the exec until it gets the cancel aimed at it.
struct CancellableDaemon {
  std::mutex mu;
  std::condition_variable cv;
  bool exec_seen = false;

  void serve(PeerConnection& conn) {
    std::string held;
    BasicDaemon daemon;
    daemon.hook = [&](PeerConnection& c, const Message& m) {
      if (m.op == "exec_command") {
        held = id_of(m);
        std::lock_guard lock(mu);
        exec_seen = true;
        cv.notify_all();
        return true;
      }
      if (m.op == "cancel" && m.payload.value("target_request_id", "") == held) {
        auto reply = exec_reply(held, 0);
        reply["exit_code"] = nullptr;
        reply["signal"] = 15;
        c.write_message("exec_command", reply);
        c.write_message("cancel", {{"request_id", id_of(m)}, {"cancelled", true}});
        return true;
      }
      return false;
    };
    daemon.serve(conn);
  }
  void wait_for_exec() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return exec_seen; });
  }
};

TEST(DaemonShellSession, CancelFromAnotherThread) {
  TempDir dir;
  CancellableDaemon daemon;
  TestPeer peer(dir.file("d.sock"), [&](PeerConnection& conn, int) { daemon.serve(conn); });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  DaemonShellSession session(client);
  ASSERT_TRUE(session.spawn({}));
  EXPECT_EQ(session.cancel().value(), false);  // nothing running

  Result<ExecResult> result;
  std::thread runner([&] { result = session.exec(ExecOptions{.command = "sleep 100"}); });
  daemon.wait_for_exec();
  auto cancelled = session.cancel();
  runner.join();
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_TRUE(*cancelled);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(result->signal, 15);
  EXPECT_FALSE(result->exit_code.has_value());
}

// A daemon that swallows the command and the cancel: exec has no timeout of its
// own, yet the cancel still ends it, within the client's request_timeout.
TEST(DaemonShellSession, CancelEndsTheWaitEvenIfTheDaemonNeverAnswers) {
  TempDir dir;
  std::atomic<bool> exec_seen{false};
  TestPeer peer(dir.file("d.sock"), [&](PeerConnection& conn, int) {
    BasicDaemon daemon;
    daemon.hook = [&](PeerConnection&, const Message& m) {
      if (m.op == "exec_command") exec_seen = true;
      return m.op == "exec_command" || m.op == "cancel";
    };
    daemon.serve(conn);
  });
  DaemonClientOptions options;
  options.request_timeout = std::chrono::milliseconds(200);
  auto client = DaemonClient::connect(
      ParsedEndpoint{ChannelTransport::unix_socket, dir.file("d.sock")}, options);
  ASSERT_TRUE(client) << client.error().message;
  DaemonShellSession session(*client);
  ASSERT_TRUE(session.spawn({}));
  Result<ExecResult> result;
  std::thread runner([&] { result = session.exec(ExecOptions{.command = "hang"}); });
  EXPECT_TRUE(testlib::eventually([&] { return exec_seen.load(); }, std::chrono::seconds(30)))
      << "exec_seen never became true";
  auto cancelled = session.cancel();
  runner.join();
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::request_timeout);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::request_timeout);
  EXPECT_NE(result.error().message.find("after it was cancelled"), std::string::npos)
      << result.error().message;
}

TEST(DaemonShellSession, StopTokenCancels) {
  TempDir dir;
  CancellableDaemon daemon;
  TestPeer peer(dir.file("d.sock"), [&](PeerConnection& conn, int) { daemon.serve(conn); });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  DaemonShellSession session(client);
  ASSERT_TRUE(session.spawn({}));
  std::stop_source stop;
  Result<ExecResult> result;
  std::thread runner([&] {
    result = session.exec(ExecOptions{.command = "sleep 100", .stop = stop.get_token()});
  });
  daemon.wait_for_exec();
  stop.request_stop();
  runner.join();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->cancelled);

  auto never_started = session.exec(ExecOptions{.command = "true", .stop = stop.get_token()});
  ASSERT_FALSE(never_started);
  EXPECT_EQ(never_started.error().code, ErrorCode::cancelled);
}

TEST(DaemonShellSession, StreamsOutputAndMayCancelFromTheCallback) {
  TempDir dir;
  TestPeer peer(dir.file("d.sock"), [](PeerConnection& conn, int) { BasicDaemon{}.serve(conn); });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  DaemonShellSession session(client);
  ASSERT_TRUE(session.spawn({}));
  std::vector<OutputChunk> chunks;
  auto result = session.exec(
      ExecOptions{.command = "printf streamed", .on_output = [&](const OutputChunk& chunk) {
                    chunks.push_back(chunk);
                    (void)session.cancel();  // must not deadlock
                  }});
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].data, "printf streamed");
  EXPECT_EQ(result->stdout_text, "printf streamed");
}

TEST(DaemonShellSession, UnspawnedSessionSaysSo) {
  TempDir dir;
  TestPeer peer(dir.file("d.sock"), [](PeerConnection& conn, int) { BasicDaemon{}.serve(conn); });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  DaemonShellSession session(client);
  auto result = session.exec(ExecOptions{.command = "true"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::unknown_session);
}

}  // namespace
}  // namespace oxydra::sandbox
