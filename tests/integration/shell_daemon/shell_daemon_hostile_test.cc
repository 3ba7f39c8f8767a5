// Hostile frames against the real shell daemon: deeply nested JSON, invalid
// UTF-8, NUL bytes inside strings, and a command and a working directory that
// try to leave through "..". Each gets an answer or a closed connection, never
// a crash, and the daemon keeps serving other clients (docs/reliability.md).

#include <string>

#include <gtest/gtest.h>

#include "oxydra/testlib/shell_daemon_process.h"

namespace oxydra {
namespace {

using namespace std::chrono_literals;

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.started()) << daemon_.log(); }
  // A fresh client still gets hello answered: the daemon is up.
  void expect_still_serving() {
    auto client = daemon_.connect();
    ASSERT_TRUE(client) << client.error().message;
    auto reply = client->request(
        "hello", {{"request_id", "alive"}, {"protocol_version", 1}, {"client", "hostile"}});
    ASSERT_TRUE(reply && reply->op == "hello") << daemon_.log();
    EXPECT_TRUE(daemon_.process().running());
  }
  testlib::ShellDaemonProcess daemon_{{"--log-level", "warn"}};
};

TEST_F(Hostile, DeeplyNestedJsonIsAnErrorNotACrash) {
  auto client = daemon_.connect();
  ASSERT_TRUE(client);
  const std::size_t depth = 1 << 20;  // 2 MiB of brackets, inside the 8 MiB frame limit
  ASSERT_TRUE(client->send_payload(std::string(depth, '[') + std::string(depth, ']')));
  auto answer = client->recv(30s);  // an error, or the connection closed
  if (answer) {
    EXPECT_EQ(answer->op, "error") << answer->payload.dump();
  }
  expect_still_serving();
}

TEST_F(Hostile, InvalidUtf8AndNulBytesInStrings) {
  auto client = daemon_.connect();
  ASSERT_TRUE(client);
  // Raw 0xff inside a JSON string: not JSON.
  ASSERT_TRUE(client->send_payload(
      "{\"op\":\"spawn_session\",\"payload\":{\"request_id\":\"u\",\"cwd\":\"/tmp/\xff\xfe\"}}"));
  auto answer = client->recv(10s);
  if (answer) {
    EXPECT_EQ(answer->op, "error") << answer->payload.dump();
  }
  expect_still_serving();

  auto second = daemon_.connect();
  ASSERT_TRUE(second);
  ASSERT_TRUE(second->request("hello", {{"request_id", "h"}, {"protocol_version", 1}}));
  // A NUL inside the working directory and inside a command.
  auto spawned =
      second->request("spawn_session", {{"request_id", "n"}, {"cwd", std::string("/tmp\0/x", 7)}});
  ASSERT_TRUE(spawned);
  EXPECT_EQ(spawned->op, "error") << spawned->payload.dump();
  auto session = second->request("spawn_session", {{"request_id", "s"}});
  ASSERT_TRUE(session && session->op == "spawn_session");
  const std::string id = session->payload.value("session_id", "");
  auto exec = second->request(
      "exec_command",
      {{"request_id", "e"}, {"session_id", id}, {"command", std::string("echo a\0b", 8)}});
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->op, "error") << exec->payload.dump();
  EXPECT_NE(exec->payload.dump().find("NUL"), std::string::npos) << exec->payload.dump();
  expect_still_serving();
}

TEST_F(Hostile, HugeStringsAndUnknownFieldsAreBounded) {
  auto client = daemon_.connect();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->request("hello", {{"request_id", "h"}, {"protocol_version", 1}}));
  auto session = client->request("spawn_session", {{"request_id", "s"}, {"x-unknown", {1, 2}}});
  ASSERT_TRUE(session) << daemon_.log();
  // A 4 MiB command (inside the frame limit): run or refused, answered either way.
  auto exec = client->request("exec_command",
                              {{"request_id", "big"},
                               {"session_id", session->payload.value("session_id", "")},
                               {"command", ": " + std::string(4 << 20, 'x')}},
                              60s);
  ASSERT_TRUE(exec) << daemon_.log();
  EXPECT_TRUE(exec->op == "error" || exec->op == "exec_command") << exec->op;
  expect_still_serving();
}

}  // namespace
}  // namespace oxydra
