#include <gtest/gtest.h>

#include "daemon/control_dispatch.h"
#include "fake_control_handler.h"
#include "oxydra/types/frame.h"

namespace oxydra::runner {
namespace {

using FakeHandler = FakeControlHandler;

Message reply_of(const ControlReply& reply) {
  FrameDecoder decoder(kControlMaxResponseFrame);
  decoder.feed(reply.frame);
  auto event = decoder.next();
  EXPECT_TRUE(event && event->kind == FrameEvent::Kind::frame);
  return *parse_message(event->payload);
}

TEST(ControlDispatch, HealthCheck) {
  FakeHandler handler;
  auto reply = reply_of(dispatch(handler, Message{"health_check", {{"request_id", "r1"}}}));
  EXPECT_EQ(reply.op, "health_status");
  EXPECT_EQ(reply.payload["request_id"], "r1");
}

TEST(ControlDispatch, ShutdownUserChecksTheUserAndAsksForShutdown) {
  FakeHandler handler;
  auto wrong =
      dispatch(handler, Message{"shutdown_user", {{"request_id", "r"}, {"user_id", "bob"}}});
  EXPECT_FALSE(wrong.shutdown_after);
  EXPECT_EQ(reply_of(wrong).payload["code"], "unknown_user");

  auto ok =
      dispatch(handler, Message{"shutdown_user", {{"request_id", "r"}, {"user_id", "alice"}}});
  EXPECT_TRUE(ok.shutdown_after);
  auto status = reply_of(ok);
  EXPECT_EQ(status.op, "shutdown_status");
  EXPECT_EQ(status.payload["already_stopped"], false);

  handler.stopping = true;
  auto again =
      dispatch(handler, Message{"shutdown_user", {{"request_id", "r"}, {"user_id", "alice"}}});
  EXPECT_FALSE(again.shutdown_after);
  EXPECT_EQ(reply_of(again).payload["already_stopped"], true);
}

TEST(ControlDispatch, LogsValidatesAndAnswers) {
  FakeHandler handler;
  auto bad =
      reply_of(dispatch(handler, Message{"logs", {{"request_id", "r"}, {"role", "nobody"}}}));
  EXPECT_EQ(bad.op, "error");
  EXPECT_EQ(bad.payload["code"], "invalid_request");

  auto good = reply_of(
      dispatch(handler, Message{"logs", {{"request_id", "r"}, {"role", "runtime"}, {"tail", 5}}}));
  EXPECT_EQ(good.op, "logs");
  EXPECT_EQ(good.payload["entries"][0]["line"], "hello");
  EXPECT_EQ(good.payload["truncated"], false);
  EXPECT_EQ(handler.last_logs.tail, 5u);
}

TEST(ControlDispatch, UnknownOpAndMissingRequestId) {
  FakeHandler handler;
  auto unknown = reply_of(dispatch(handler, Message{"reboot", {{"request_id", "r"}}}));
  EXPECT_EQ(unknown.payload["code"], "unknown_op");
  EXPECT_EQ(unknown.payload["request_id"], "r");
  auto missing = reply_of(dispatch(handler, Message{"health_check", nlohmann::json::object()}));
  EXPECT_EQ(missing.payload["code"], "invalid_request");
  EXPECT_TRUE(missing.payload["request_id"].is_null());
}

}  // namespace
}  // namespace oxydra::runner
