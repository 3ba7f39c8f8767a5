// Framing and request handling (protocol.md §1, §2, §4): malformed frames,
// errors, pipelining, and many sessions and connections at once.

#include <sys/socket.h>

#include <atomic>
#include <set>
#include <thread>

#include "daemon_test_util.h"

namespace oxydra::shell_daemon_test {
namespace {

using ProtocolTest = DaemonTest;

std::string prefix(std::uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
          static_cast<char>(n)};
}

void expect_error(const std::optional<Message>& m, const std::string& code,
                  const json& request_id = nullptr) {
  ASSERT_TRUE(m) << "no reply";
  EXPECT_EQ(m->op, "error") << m->payload.dump();
  EXPECT_EQ(m->payload["code"], code) << m->payload.dump();
  EXPECT_EQ(m->payload["request_id"], request_id) << m->payload.dump();
  EXPECT_TRUE(m->payload["message"].is_string());
}

void expect_still_serving(FrameClient& c) {
  auto hello =
      c.request("hello", {{"request_id", next_id()}, {"protocol_version", 1}, {"client", "t"}});
  ASSERT_TRUE(hello) << "connection no longer served";
  EXPECT_EQ(hello->op, "hello");
}

// A client tells a restarted daemon (whose session ids start over) from the
// one it knew by hello's `instance` (protocol.md §4.1).
TEST_F(ProtocolTest, HelloNamesTheDaemonInstance) {
  auto instance_of = [](FrameClient& c) -> std::string {
    auto hello =
        c.request("hello", {{"request_id", next_id()}, {"protocol_version", 1}, {"client", "t"}});
    if (!hello || !hello->payload.contains("instance")) return "";
    return hello->payload["instance"].get<std::string>();
  };
  const std::string first = instance_of(*client_);
  ASSERT_FALSE(first.empty());
  FrameClient other = connect();
  EXPECT_EQ(instance_of(other), first);
  start({});
  const std::string restarted = instance_of(*client_);
  EXPECT_FALSE(restarted.empty());
  EXPECT_NE(restarted, first);
}

TEST_F(ProtocolTest, InvalidJsonAndNonObjectsAreInvalidFramesAndTheConnectionStays) {
  ASSERT_TRUE(client_->send_payload("{not json"));
  expect_error(client_->recv(), "invalid_frame");
  ASSERT_TRUE(client_->send_payload("[1,2,3]"));
  expect_error(client_->recv(), "invalid_frame");
  ASSERT_TRUE(client_->send_payload("{\"payload\":{}}"));
  expect_error(client_->recv(), "invalid_frame");
  ASSERT_TRUE(client_->send_payload("\xFF\xFE"));
  expect_error(client_->recv(), "invalid_frame");
  expect_still_serving(*client_);
}

TEST_F(ProtocolTest, ZeroLengthFrameIsInvalidAndTheConnectionStays) {
  ASSERT_TRUE(client_->send_raw(prefix(0)));
  expect_error(client_->recv(), "invalid_frame");
  expect_still_serving(*client_);
}

TEST_F(ProtocolTest, OversizedFrameGetsAnErrorAndTheConnectionIsClosed) {
  // Only the prefix is sent: the daemon must decide without the payload.
  ASSERT_TRUE(client_->send_raw(prefix((8u << 20) + 1)));
  expect_error(client_->recv(), "frame_too_large");
  EXPECT_TRUE(client_->wait_closed());
  // Others are unaffected.
  auto other = connect();
  expect_still_serving(other);
}

TEST_F(ProtocolTest, ConfiguredFrameLimitApplies) {
  start({"--max-frame-bytes", "4096"});
  std::string big(5000, ' ');
  ASSERT_TRUE(client_->send_raw(prefix(static_cast<std::uint32_t>(big.size()))));
  client_->send_raw(big, 2s);  // may fail once the daemon closes
  expect_error(client_->recv(), "frame_too_large");
  EXPECT_TRUE(client_->wait_closed());
}

TEST_F(ProtocolTest, UnknownOpUnknownSessionAndInvalidRequests) {
  ASSERT_TRUE(client_->send("frobnicate", {{"request_id", "u-1"}}));
  expect_error(client_->recv(), "unknown_op", "u-1");
  ASSERT_TRUE(client_->send(
      "exec_command",
      {{"request_id", "u-2"}, {"session_id", "session-999999"}, {"command", "true"}}));
  expect_error(client_->recv(), "unknown_session", "u-2");
  ASSERT_TRUE(client_->send("stream_output", {{"request_id", "u-3"}, {"session_id", "nope"}}));
  expect_error(client_->recv(), "unknown_session", "u-3");
  ASSERT_TRUE(client_->send("exec_command", {{"session_id", "x"}, {"command", "true"}}));
  expect_error(client_->recv(), "invalid_request");
  ASSERT_TRUE(client_->send("exec_command", {{"request_id", "u-4"}, {"session_id", 7}}));
  expect_error(client_->recv(), "invalid_request", "u-4");
  auto s = spawn_session(*client_);
  ASSERT_TRUE(client_->send("exec_command",
                            {{"request_id", "u-5"}, {"session_id", s}, {"command", "  \n"}}));
  expect_error(client_->recv(), "empty_command", "u-5");
  // Unknown fields are ignored.
  auto ok = client_->request("list_sessions", {{"request_id", "u-6"}, {"future_field", 1}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->op, "list_sessions");
}

TEST_F(ProtocolTest, TooManySessions) {
  start({"--max-sessions", "2"});
  spawn_session(*client_);
  spawn_session(*client_);
  ASSERT_TRUE(client_->send("spawn_session", {{"request_id", "m-3"}}));
  expect_error(client_->recv(), "too_many_sessions", "m-3");
}

TEST_F(ProtocolTest, PipelinedRequestsAreAnsweredByRequestId) {
  std::vector<std::string> sessions;
  for (int i = 0; i < 5; ++i)
    sessions.push_back(spawn_session(*client_));
  // Everything is written before anything is read. The slow command first,
  // so replies come back out of order.
  std::string batch;
  for (int i = 0; i < 5; ++i) {
    batch += encode_message(
        "exec_command",
        {{"request_id", "p-exec-" + std::to_string(i)},
         {"session_id", sessions[i]},
         {"command", (i == 0 ? "sleep 1; " : "") + std::string("echo out-") + std::to_string(i)}});
    batch += encode_message("stream_output", {{"request_id", "p-pull-" + std::to_string(i)},
                                              {"session_id", sessions[i]}});
  }
  batch += encode_message("hello",
                          {{"request_id", "p-hello"}, {"protocol_version", 1}, {"client", "t"}});
  ASSERT_TRUE(client_->send_raw(batch));
  std::set<std::string> seen;
  for (int n = 0; n < 11; ++n) {
    auto m = client_->recv(60s);
    ASSERT_TRUE(m) << "missing replies after " << n;
    const std::string id = m->payload["request_id"];
    EXPECT_TRUE(seen.insert(id).second) << "two replies for " << id;
    if (id.rfind("p-pull-", 0) == 0) {
      EXPECT_EQ(m->op, "stream_output");
      EXPECT_EQ(m->payload["data"], "out-" + id.substr(7) + "\n");
    } else if (id.rfind("p-exec-", 0) == 0) {
      EXPECT_EQ(m->op, "exec_command");
      EXPECT_EQ(m->payload["exit_code"], 0);
    } else {
      EXPECT_EQ(m->op, "hello");
    }
  }
}

TEST_F(ProtocolTest, FiftySessionsRunInParallel) {
  testlib::TempDir barrier;
  constexpr int kSessions = 50;
  std::vector<std::string> sessions;
  for (int i = 0; i < kSessions; ++i)
    sessions.push_back(spawn_session(*client_));
  // Each command waits until all have started: run one at a time, they
  // would never finish (and the test would time out instead).
  const std::string wait_all = "touch " + barrier.path() + "/$$; until [ $(ls " + barrier.path() +
                               " | wc -l) -ge " + std::to_string(kSessions) +
                               " ]; do sleep 0.05; done; echo done-";
  std::vector<FrameClient> clients;
  for (int i = 0; i < 5; ++i)
    clients.push_back(connect());
  for (int i = 0; i < kSessions; ++i) {
    ASSERT_TRUE(clients[i % 5].send("exec_command", {{"request_id", "f-" + std::to_string(i)},
                                                     {"session_id", sessions[i]},
                                                     {"command", wait_all + std::to_string(i)},
                                                     {"timeout_secs", 300}}));
  }
  for (int i = 0; i < kSessions; ++i) {
    auto reply = clients[i % 5].recv_reply("f-" + std::to_string(i), 300s);
    ASSERT_TRUE(reply) << "no reply for f-" << i;
    EXPECT_EQ(reply->payload["exit_code"], 0) << reply->payload.dump();
  }
  for (int i = 0; i < kSessions; ++i) {
    EXPECT_EQ(pull(*client_, sessions[i]).out, "done-" + std::to_string(i) + "\n");
  }
}

TEST_F(ProtocolTest, ManyConnectionsAtOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 20; ++t) {
    threads.emplace_back([&, t] {
      auto c = daemon_->connect();
      if (!c) return;
      auto s = spawn_session(*c);
      for (int i = 0; i < 5; ++i) {
        exec(*c, s, "echo " + std::to_string(t * 100 + i));
        if (pull(*c, s).out == std::to_string(t * 100 + i) + "\n") ++ok;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(ok, 100);
}

TEST_F(ProtocolTest, HalfClosedClientStillGetsItsReplies) {
  auto s = spawn_session(*client_);
  ASSERT_TRUE(client_->send(
      "exec_command",
      {{"request_id", "hc-1"}, {"session_id", s}, {"command", "sleep 0.5; echo late"}}));
  ::shutdown(client_->fd(), SHUT_WR);
  auto reply = client_->recv_reply("hc-1", 60s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->payload["exit_code"], 0);
  EXPECT_TRUE(client_->wait_closed());
}

}  // namespace
}  // namespace oxydra::shell_daemon_test
