#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <thread>

#include "provider_test_support.h"

namespace oxydra::provider::test {
namespace {

using Clock = std::chrono::steady_clock;
using testlib::ScriptedResponse;
using testlib::ScriptedTurn;

// Text, then silence that lasts until the client goes away.
ScriptedResponse stalling_stream() {
  ScriptedResponse response =
      testlib::sse_stream({testlib::openai_chunk({{"role", "assistant"}, {"content", ""}}),
                           testlib::openai_chunk({{"content", "thinking..."}})});
  response.stall = true;
  return response;
}

TEST(ProviderCancel, CancelMidStreamReturnsPromptly) {
  testlib::FakeLlmServer server;
  server.enqueue(stalling_stream());
  auto provider = provider_for(fake_settings(server));  // idle timeout 30 s, request 60 s

  CancelToken cancel;
  std::promise<void> first_text;
  bool signalled = false;
  auto call = std::async(std::launch::async, [&] {
    return provider->stream_chat(
        simple_request(),
        [&](const ChatEvent& event) {
          if (event.kind == ChatEvent::Kind::text_delta && !signalled) {
            signalled = true;
            first_text.set_value();
          }
        },
        cancel);
  });
  ASSERT_EQ(first_text.get_future().wait_for(10s), std::future_status::ready);
  const auto cancelled_at = Clock::now();
  cancel.cancel();
  ASSERT_EQ(call.wait_for(10s), std::future_status::ready) << "stream_chat ignored the cancel";
  const auto elapsed = Clock::now() - cancelled_at;
  auto response = call.get();
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::cancelled);
  EXPECT_EQ(response.error().message,
            "POST " + server.base_url() + "/v1/chat/completions: cancelled");
  // Far below the 30 s idle timeout that would otherwise end the call.
  EXPECT_LT(elapsed, 5s);
  // The transfer was really aborted: the server sees the connection close.
  EXPECT_TRUE(server.wait_for_closed_connections(1, 10s));
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderCancel, AlreadyCancelledTokenSendsNothing) {
  testlib::FakeLlmServer server;
  auto provider = provider_for(fake_settings(server));
  CancelToken cancel;
  cancel.cancel();
  auto response = provider->chat(simple_request(), cancel);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::cancelled);
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(ProviderCancel, CancelDuringRetryBackoff) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::openai_error(503, "busy", 50));  // asks for a 50 s pause
  auto provider = provider_for(fake_settings(server));
  CancelToken cancel;
  auto call =
      std::async(std::launch::async, [&] { return provider->chat(simple_request(), cancel); });
  ASSERT_TRUE(server.wait_for_requests(1, 10s));
  cancel.cancel();
  ASSERT_EQ(call.wait_for(10s), std::future_status::ready);
  auto response = call.get();
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::cancelled);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderTimeout, IdleStreamTimeoutAfterOutputIsNotRetried) {
  testlib::FakeLlmServer server;
  server.enqueue(stalling_stream());
  server.enqueue(testlib::openai_stream(ScriptedTurn{"must not be fetched", {}, 1, 1, 5, "m"}));
  ProviderSettings settings = fake_settings(server);
  settings.idle_timeout = 300ms;
  auto provider = provider_for(settings);
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::idle_timeout);
  EXPECT_EQ(response.error().message, "POST " + server.base_url() +
                                          "/v1/chat/completions: no data for 300 ms "
                                          "(idle-stream timeout)");
  EXPECT_EQ(log.text(), "thinking...");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderTimeout, IdleStreamTimeoutBeforeOutputIsRetried) {
  testlib::FakeLlmServer server;
  ScriptedResponse silent = testlib::sse_stream({});
  silent.stall = true;  // headers, then nothing
  server.enqueue(silent);
  server.enqueue(testlib::openai_stream(ScriptedTurn{"recovered", {}, 1, 1, 5, "m"}));
  ProviderSettings settings = fake_settings(server);
  settings.idle_timeout = 200ms;
  auto provider = provider_for(settings);
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "recovered");
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ProviderTimeout, RequestTimeoutIsNotRetried) {
  testlib::FakeLlmServer server;
  ScriptedResponse silent;  // headers, then no body ever
  silent.headers = {{"Content-Type", "application/json"}};
  silent.stall = true;
  server.enqueue(silent);
  ProviderSettings settings = fake_settings(server);
  settings.request_timeout = 300ms;
  auto provider = provider_for(settings);
  auto response = provider->chat(simple_request(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::request_timeout);
  EXPECT_EQ(response.error().message,
            "POST " + server.base_url() + "/v1/chat/completions: timed out after 300 ms");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderErrors, MalformedSseGivesAClearError) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::sse_stream({testlib::openai_chunk({{"content", "Hi"}}),
                                      "data: {\"choices\": [{\"delta\": {\"content\": \"x\"\n\n"}));
  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::invalid_response);
  EXPECT_EQ(
      response.error().message,
      "POST " + server.base_url() +
          R"(/v1/chat/completions: malformed stream event: {"choices": [{"delta": {"content": "x")");
  EXPECT_EQ(log.text(), "Hi");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderErrors, OversizedStreamEventIsAnError) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::sse_stream({"data: " + std::string(5000, 'x')}));
  ProviderSettings settings = fake_settings(server);
  settings.max_response_bytes = 4096;
  auto provider = provider_for(settings);
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::invalid_response);
  EXPECT_NE(response.error().message.find("exceeds 4096 bytes"), std::string::npos);
}

TEST(ProviderErrors, ApiKeyNeverAppearsInErrorMessages) {
  testlib::FakeLlmServer server;
  // Servers that echo the key back, in a status error and inside a stream.
  server.enqueue(testlib::openai_error(401, "Incorrect API key provided: " + kApiKey));
  server.enqueue(
      testlib::sse_stream({"data: {\"error\":{\"message\":\"bad key " + kApiKey + "\"}}\n\n"}));
  auto provider = provider_for(fake_settings(server));

  auto first = provider->chat(simple_request(), CancelToken());
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().message.find(kApiKey), std::string::npos) << first.error().message;
  EXPECT_NE(first.error().message.find("Incorrect API key provided: [redacted]"),
            std::string::npos);

  EventLog log;
  auto second = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::provider_error);
  EXPECT_EQ(second.error().message.find(kApiKey), std::string::npos) << second.error().message;
}

TEST(ProviderErrors, ExceptionFromTheEventHandlerPropagates) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::openai_stream(ScriptedTurn{"some text", {}, 1, 1, 2, "m"}));
  auto provider = provider_for(fake_settings(server));
  EXPECT_THROW(
      provider->stream_chat(
          simple_request(), [](const ChatEvent&) { throw std::runtime_error("handler failed"); },
          CancelToken()),
      std::runtime_error);
  EXPECT_EQ(server.request_count(), 1u);
}

}  // namespace
}  // namespace oxydra::provider::test
