// Hostile bytes at the runner's control socket and at oxydra-vm's gateway,
// with the real binaries on the process tier: an announced frame larger than
// the channel allows, a frame cut short, deeply nested JSON, invalid UTF-8,
// NUL bytes and path traversal in ids, a huge string, and an unknown user on
// the CLI. Each gets a clear error or a closed connection; the runner and the
// agent stay up and answer the next well-formed request (docs/reliability.md).

#include <filesystem>
#include <string>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/frame_client.h"
#include "oxydra/testlib/llm_scripts.h"
#include "runner_fixture.h"
#include "tier_support.h"

namespace oxydra::runner_test {
namespace {

using testlib::FrameClient;

std::string be32(std::uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
          static_cast<char>(n)};
}

class HostileSockets : public RunnerFixture {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    OXYDRA_SKIP_UNLESS_TIER(TestTier::process);
    llm_.enqueue(testlib::openai_stream(says("Still here.")));
    ConfigOptions options = tier_options(TestTier::process);
    options.provider_url = llm_.base_url() + "/v1";
    write_config(options);
    start_detached();
  }
  std::string control_path() const { return user_root() + "/control/runner-control.sock"; }
  std::string gateway_path() const { return user_root() + "/ipc/gateway/gateway.sock"; }
  FrameClient connect(const std::string& path) {
    auto client = FrameClient::connect_unix(path);
    EXPECT_TRUE(client) << path << ": " << client.error().message;
    return client ? std::move(*client) : FrameClient(-1);
  }
  // The runner answers health_check and the agent answers hello on fresh connections.
  void expect_both_serving() {
    auto control = connect(control_path());
    auto health = control.request("health_check", {{"request_id", "alive"}});
    ASSERT_TRUE(health) << "the runner stopped answering";
    EXPECT_EQ(health->op, "health_status") << health->payload.dump();
    auto gateway = connect(gateway_path());
    auto hello = gateway.request("hello", {{"request_id", "alive"}});
    ASSERT_TRUE(hello) << "the agent stopped answering";
    EXPECT_EQ(hello->op, "hello") << hello->payload.dump();
  }
  // An error with `code`, or (where the protocol closes instead) nothing.
  static void expect_error(const std::optional<Message>& answer, const std::string& code) {
    ASSERT_TRUE(answer) << "no answer to a malformed request (expected " << code << ")";
    EXPECT_EQ(answer->op, "error") << answer->payload.dump();
    EXPECT_EQ(answer->payload.value("code", ""), code) << answer->payload.dump();
    EXPECT_FALSE(answer->payload.value("message", "").empty()) << answer->payload.dump();
  }
  testlib::FakeLlmServer llm_;
};

TEST_F(HostileSockets, AnOversizedFrameIsRefusedFromItsPrefixAndTheConnectionClosed) {
  for (const std::string& path : {control_path(), gateway_path()}) {
    auto client = connect(path);
    // 4 GiB announced; only the prefix is sent, so a server that waited for
    // the payload would hang here instead of answering.
    ASSERT_TRUE(client.send_raw(be32(0xffffffffu)));
    expect_error(client.recv(10s), "frame_too_large");
    EXPECT_TRUE(client.wait_closed(10s)) << path;
  }
  expect_both_serving();
}

TEST_F(HostileSockets, TruncatedAndEmptyFramesLeaveTheServersUp) {
  for (const std::string& path : {control_path(), gateway_path()}) {
    {
      auto cut = connect(path);
      ASSERT_TRUE(cut.send_raw(be32(100) + "{\"op\":\"hea"));  // then gone
    }
    auto client = connect(path);
    ASSERT_TRUE(client.send_raw(be32(0)));
    expect_error(client.recv(10s), "invalid_frame");
    ASSERT_TRUE(client.send_payload("[\"not\", \"an object\"]"));
    expect_error(client.recv(10s), "invalid_frame");
    ASSERT_TRUE(client.send_payload("{\"op\":\"health_check\",\"payload\":{\"request_id\":"));
    expect_error(client.recv(10s), "invalid_frame");
  }
  expect_both_serving();
}

TEST_F(HostileSockets, DeeplyNestedJsonAndInvalidUtf8AreErrors) {
  // Under the control channel's 128 KiB request limit and far deeper than any
  // message: a recursive parser without a depth bound would overflow its stack.
  const std::string nested = std::string(60000, '[') + std::string(60000, ']');
  const std::string bad_utf8 = "{\"op\":\"hello\",\"payload\":{\"request_id\":\"\xff\xfe\"}}";
  for (const std::string& path : {control_path(), gateway_path()}) {
    auto client = connect(path);
    ASSERT_TRUE(client.send_payload(nested));
    expect_error(client.recv(30s), "invalid_frame");
    ASSERT_TRUE(client.send_payload(bad_utf8));
    expect_error(client.recv(10s), "invalid_frame");
    // The connection still decodes the next frame.
    ASSERT_TRUE(client.send("no_such_op", {{"request_id", "u"}}));
    expect_error(client.recv_reply("u", 10s), "unknown_op");
  }
  expect_both_serving();
}

TEST_F(HostileSockets, TraversalAndNulBytesInIdsAreRefused) {
  auto control = connect(control_path());
  for (const std::string& user : {std::string("../bob"), std::string("alice\0/x", 7),
                                  std::string("/etc/passwd"), std::string("..")}) {
    auto answer = control.request("shutdown_user", {{"request_id", "s"}, {"user_id", user}});
    ASSERT_TRUE(answer) << "no answer for user_id " << nlohmann::json(user).dump();
    EXPECT_EQ(answer->op, "error") << answer->payload.dump();
  }
  auto gateway = connect(gateway_path());
  for (const std::string& session :
       {std::string("../../internal/memory"), std::string("s\0x", 3), std::string(4 << 20, 'a')}) {
    auto answer = gateway.request("hello", {{"request_id", "h"}, {"session_id", session}});
    ASSERT_TRUE(answer) << "no answer for a hostile session_id";
    EXPECT_EQ(answer->op, "error") << answer->payload.dump().substr(0, 200);
  }
  EXPECT_FALSE(std::filesystem::exists(user_root() + "/internal/memory"));
  expect_both_serving();
  // The runner kept alice: a normal turn still works end to end.
  auto asked = runner({"ask", "Are you there?"});
  EXPECT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_EQ(asked.out, "Still here.\n");
}

TEST_F(HostileSockets, TheCliRefusesATraversingUserWithOneLine) {
  for (const char* user : {"../alice", "alice/../../etc", "-rf"}) {
    auto result = runner({"--user", user, "status"});
    EXPECT_NE(result.exit_code, 0) << user;
    EXPECT_NE(result.err.find("error:"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("Segmentation"), std::string::npos) << result.err;
  }
  expect_both_serving();
}

}  // namespace
}  // namespace oxydra::runner_test
