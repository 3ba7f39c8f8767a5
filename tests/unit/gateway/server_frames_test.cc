#include "oxydra/testlib/frame_client.h"
#include "server_fixture.h"

namespace oxydra::gateway {
namespace {

using testing::ServerFixture;
using GatewayFrames = ServerFixture;

testlib::FrameClient raw(const std::string& socket) {
  auto c = testlib::FrameClient::connect_unix(socket);
  EXPECT_TRUE(c) << c.error().message;
  return std::move(*c);
}

TEST_F(GatewayFrames, BadJsonIsAnInvalidFrameAndTheConnectionStays) {
  start();
  auto c = raw(socket);
  ASSERT_TRUE(c.send_payload("{not json"));
  auto error = c.recv();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->op, "error");
  EXPECT_EQ(error->payload["code"], "invalid_frame");
  EXPECT_TRUE(error->payload["request_id"].is_null());
  ASSERT_TRUE(c.send_payload("[1,2]"));
  EXPECT_EQ(c.recv()->payload["code"], "invalid_frame");
  ASSERT_TRUE(c.send_raw(std::string("\0\0\0\0", 4)));
  EXPECT_EQ(c.recv()->payload["code"], "invalid_frame");
  auto health = c.request("health", {{"request_id", "h1"}});
  ASSERT_TRUE(health);
  EXPECT_EQ(health->op, "health");
}

TEST_F(GatewayFrames, UnknownOpsAndBadPayloadsNameTheRequest) {
  start();
  auto c = raw(socket);
  auto unknown = c.request("fly", {{"request_id", "r1"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->op, "error");
  EXPECT_EQ(unknown->payload["code"], "unknown_op");
  auto blank = c.request("send_message", {{"request_id", "r2"}, {"session_id", "s"}});
  ASSERT_TRUE(blank);
  EXPECT_EQ(blank->payload["code"], "invalid_request");
  EXPECT_NE(blank->payload["message"].get<std::string>().find("payload.text"), std::string::npos);
}

TEST_F(GatewayFrames, AnOversizedFrameIsRefusedAndTheConnectionClosed) {
  start();
  auto c = raw(socket);
  ASSERT_TRUE(c.send_raw(std::string("\x01\x00\x00\x00", 4)));  // 16 MiB announced
  auto error = c.recv();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->payload["code"], "frame_too_large");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(GatewayFrames, EventsCarryTheRequestId) {
  start();
  provider->push(runtime::testing::FakeReply{"hello world"});
  auto c = raw(socket);
  auto hello = c.request("hello", {{"request_id", "h"}});
  ASSERT_TRUE(hello);
  const std::string session = hello->payload["session_id"];
  ASSERT_TRUE(
      c.send("send_message", {{"request_id", "m1"}, {"session_id", session}, {"text", "hi"}}));
  std::string text;
  for (;;) {
    auto message = c.recv();
    ASSERT_TRUE(message);
    EXPECT_EQ(message->payload["request_id"], "m1");
    if (message->op == "turn_complete") {
      EXPECT_EQ(message->payload["stop_reason"], "completed");
      EXPECT_EQ(message->payload["text"], "hello world");
      break;
    }
    ASSERT_EQ(message->op, "turn_event");
    if (message->payload["kind"] == "text_delta") text += message->payload["text"];
  }
  EXPECT_EQ(text, "hello world");
}

TEST_F(GatewayFrames, AClientThatStopsReadingIsDisconnectedNotBuffered) {
  start();
  auto c = raw(socket);
  // Requests keep coming, replies are never read: without a bound the agent
  // would hold every reply in memory.
  std::string batch;
  for (int i = 0; i < 1000; ++i) {
    const std::string payload =
        nlohmann::json({{"op", "health"}, {"payload", {{"request_id", "h" + std::to_string(i)}}}})
            .dump();
    batch += encode_frame(payload);
  }
  // Generous waits: a sanitized server on a loaded machine can pause for many
  // seconds, and a send that times out stops the flood short of the bound.
  bool refused = false;
  for (int round = 0; round < 400 && !refused; ++round)
    refused = !c.send_raw(batch, std::chrono::seconds(60));
  // Well past the bound, the server closed the connection (writes fail, or
  // reading drains what the kernel held and then ends).
  EXPECT_TRUE(c.wait_closed(std::chrono::seconds(120)));
  // Everyone else is still served.
  auto other = raw(socket);
  auto health = other.request("health", {{"request_id", "after"}});
  ASSERT_TRUE(health);
  EXPECT_EQ(health->op, "health");
}

}  // namespace
}  // namespace oxydra::gateway
