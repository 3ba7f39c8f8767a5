#include <sys/stat.h>

#include "server_fixture.h"

namespace oxydra::gateway {
namespace {

using gateway_rpc::TurnEventKind;
using runtime::testing::call;
using runtime::testing::FakeReply;
using testing::ServerFixture;

using GatewayServer = ServerFixture;

TEST_F(GatewayServer, HelloReportsStatusToolsAndASession) {
  start();
  auto c = client();
  auto hello = c->hello();
  ASSERT_TRUE(hello) << hello.error().message;
  EXPECT_FALSE(hello->session_id.empty());
  EXPECT_EQ(hello->startup_status.sandbox_tier, SandboxTier::process);
  ASSERT_EQ(hello->tools.size(), 2u);
  EXPECT_EQ(hello->tools[0].name, "shell_exec");
  EXPECT_FALSE(hello->tools[0].enabled);
  EXPECT_EQ(hello->tools[0].reason, "insecure_process_tier: no shell on the process tier");
  EXPECT_TRUE(hello->tools[1].enabled);
  EXPECT_FALSE(hello->tools[1].reason);
  // The same current session for the next client.
  EXPECT_EQ(client()->hello()->session_id, hello->session_id);
}

TEST_F(GatewayServer, SendMessageStreamsEventsThenCompletes) {
  start();
  provider->push(FakeReply{"checking", {call("c1", "probe", R"({"x":"y"})")}});
  provider->push(FakeReply{"All good here."});
  auto c = client();
  const auto session = c->hello()->session_id;
  std::vector<gateway_rpc::TurnEvent> events;
  auto done = c->send_message(session, "run the probe",
                              [&](const gateway_rpc::TurnEvent& e) { events.push_back(e); });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->stop_reason, "completed");
  EXPECT_EQ(done->text, "All good here.");
  EXPECT_EQ(done->usage.input_tokens, 20u);
  std::string final_text;
  std::vector<TurnEventKind> kinds;
  bool after_result = false;
  for (const auto& e : events) {
    if (kinds.empty() || kinds.back() != e.kind) kinds.push_back(e.kind);
    if (e.kind == TurnEventKind::tool_result) after_result = true;
    if (after_result && e.kind == TurnEventKind::text_delta) final_text += e.text;
  }
  EXPECT_EQ(final_text, "All good here.");
  const std::vector<TurnEventKind> expected{TurnEventKind::text_delta, TurnEventKind::usage,
                                            TurnEventKind::tool_call,  TurnEventKind::tool_result,
                                            TurnEventKind::text_delta, TurnEventKind::usage};
  EXPECT_EQ(kinds, expected);
}

TEST_F(GatewayServer, OneTurnPerSessionAndCancelStopsOnlyTheActiveOne) {
  start();
  provider->push(FakeReply{.text = "long answer", .wait_for_cancel = true});
  auto first = client();
  auto second = client();
  const auto session = first->hello()->session_id;
  Result<gateway_rpc::TurnComplete> done = fail(ErrorCode::internal, "");
  std::thread turn([&] { done = first->send_message(session, "talk a lot"); });
  ASSERT_TRUE(wait_for_calls(1));
  auto busy = second->send_message(session, "me too");
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, ErrorCode::busy);
  // Another client cannot cancel a turn it did not start.
  EXPECT_FALSE(*second->cancel("c-2"));  // the first client's send_message
  auto cancelled = first->cancel_active();
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_TRUE(*cancelled);
  turn.join();
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->stop_reason, "cancelled");
  EXPECT_EQ(done->text, "long answer");
  EXPECT_FALSE(*first->cancel_active());  // nothing left to cancel
}

TEST_F(GatewayServer, ADisconnectedClientsTurnIsCancelled) {
  start();
  provider->push(FakeReply{.text = "", .wait_for_cancel = true});
  auto first = client();
  const auto session = first->hello()->session_id;
  std::thread turn([&] { (void)first->send_message(session, "hello?"); });
  ASSERT_TRUE(wait_for_calls(1));
  first->close();
  turn.join();
  provider->push(FakeReply{"back again"});
  auto second = client();
  Result<gateway_rpc::TurnComplete> done = fail(ErrorCode::busy, "");
  for (int i = 0; i < 1000 && !done && done.error().code == ErrorCode::busy; ++i) {
    done = second->send_message(session, "again");
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->stop_reason, "completed");
}

TEST_F(GatewayServer, SessionsCanBeCreatedListedAndSelected) {
  start();
  auto c = client();
  const auto first = c->hello()->session_id;
  auto created = c->new_session();
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_NE(created->session_id, first);
  EXPECT_EQ(c->hello()->session_id, created->session_id);  // the new one is current
  auto listed = c->list_sessions();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->sessions.size(), 2u);
  EXPECT_EQ(listed->sessions[0].session_id, created->session_id);
  EXPECT_EQ(listed->sessions[0].created_at.back(), 'Z');
  EXPECT_EQ(c->hello(first)->session_id, first);
  auto unknown = c->hello(std::string("chat-nope"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::unknown_session);
  auto send_unknown = c->send_message("chat-nope", "hi");
  ASSERT_FALSE(send_unknown);
  EXPECT_EQ(send_unknown.error().code, ErrorCode::unknown_session);
}

TEST_F(GatewayServer, SessionsWithoutMemoryLiveInTheProcess) {
  start(/*with_memory=*/false);
  provider->push(FakeReply{"ok"});
  auto c = client();
  const auto session = c->hello()->session_id;
  ASSERT_TRUE(c->send_message(session, "hi"));
  auto listed = c->list_sessions();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->sessions.size(), 1u);
  EXPECT_EQ(listed->sessions[0].message_count, 2u);
}

TEST_F(GatewayServer, HealthNamesProviderAndModel) {
  start();
  auto health = client()->health();
  ASSERT_TRUE(health) << health.error().message;
  EXPECT_EQ(health->provider, "fake");
  EXPECT_EQ(health->model, "fake-model");
  EXPECT_TRUE(has_degraded_reason(health->startup_status, "insecure_process_tier"));
}

TEST_F(GatewayServer, SocketIsPrivate) {
  start();
  struct stat st {};
  ASSERT_EQ(::stat(socket.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir.file("ipc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(GatewayServer, StopEndsRunningTurnsAndRemovesTheSocket) {
  start();
  provider->push(FakeReply{.text = "", .wait_for_cancel = true});
  auto c = client();
  const auto session = c->hello()->session_id;
  Result<gateway_rpc::TurnComplete> done = fail(ErrorCode::internal, "");
  std::thread turn([&] { done = c->send_message(session, "hi"); });
  ASSERT_TRUE(wait_for_calls(1));
  stop();
  turn.join();
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->stop_reason, "cancelled");
  EXPECT_EQ(exit_code, 0);
  struct stat st {};
  EXPECT_NE(::stat(socket.c_str(), &st), 0);
}

TEST_F(GatewayServer, ALiveSocketIsNotStolen) {
  start();
  AgentSetup other;
  other.gateway_socket = socket;
  auto second = Server::listen(std::move(other), ServerOptions{.handle_signals = false});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::address_in_use);
}

}  // namespace
}  // namespace oxydra::gateway
