#include "oxydra/provider/retry.h"

#include <gtest/gtest.h>

#include "provider_test_support.h"

namespace oxydra::provider::test {
namespace {

using testlib::ScriptedResponse;
using testlib::ScriptedTurn;

TEST(RetryDelay, ExponentialBackoffWithFullJitterIsCapped) {
  const RetryPolicy policy{5, 100ms, 1000ms};
  EXPECT_EQ(retry_delay(policy, 2, std::nullopt, 0.0), 0ms);
  EXPECT_EQ(retry_delay(policy, 2, std::nullopt, 0.5), 50ms);
  EXPECT_EQ(retry_delay(policy, 3, std::nullopt, 0.5), 100ms);
  EXPECT_EQ(retry_delay(policy, 4, std::nullopt, 0.5), 200ms);
  EXPECT_EQ(retry_delay(policy, 5, std::nullopt, 0.999), 799ms);
  EXPECT_EQ(retry_delay(policy, 30, std::nullopt, 0.5), 500ms);  // capped at max_delay
}

TEST(RetryDelay, RetryAfterIsHonouredUpToTheLimit) {
  const RetryPolicy policy{5, 100ms, 1000ms};
  EXPECT_EQ(retry_delay(policy, 2, 3000ms, 0.1), 3000ms);  // above max_delay, still honoured
  EXPECT_EQ(retry_delay(policy, 2, 0ms, 0.9), 0ms);
  EXPECT_EQ(retry_delay(policy, 2, 3600s, 0.5), 50ms);  // absurd: own backoff instead
}

TEST(RetryDelay, ParsesRetryAfterSeconds) {
  EXPECT_EQ(parse_retry_after("2"), 2000ms);
  EXPECT_EQ(parse_retry_after(" 1.5\r\n"), 1500ms);
  EXPECT_EQ(parse_retry_after("0"), 0ms);
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_retry_after("-1"));
  EXPECT_FALSE(parse_retry_after(""));
  EXPECT_FALSE(parse_retry_after("nan"));
}

TEST(RetryDelay, RetryableStatuses) {
  EXPECT_TRUE(is_retryable_status(429));
  EXPECT_TRUE(is_retryable_status(500));
  EXPECT_TRUE(is_retryable_status(503));
  EXPECT_TRUE(is_retryable_status(529));
  EXPECT_FALSE(is_retryable_status(400));
  EXPECT_FALSE(is_retryable_status(401));
  EXPECT_FALSE(is_retryable_status(404));
}

TEST(ProviderRetry, RateLimitedThenSucceeds) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::openai_error(429, "Rate limit reached", 0));
  server.enqueue(testlib::openai_stream(ScriptedTurn{"after the wait", {}, 1, 1, 5, "m"}));
  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "after the wait");
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(log.text(), "after the wait");
}

TEST(ProviderRetry, RetryAfterSecondsIsHonoured) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::openai_error(429, "Rate limit reached", 1));
  server.enqueue(testlib::openai_json(ScriptedTurn{"ok", {}, 1, 1, 5, "m"}));
  auto provider = provider_for(fake_settings(server));  // own backoff is at most 4 ms
  ASSERT_TRUE(provider->chat(simple_request(), CancelToken()));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  // A lower bound only: the retry waited at least what the server asked for.
  EXPECT_GE(requests[1].received_at - requests[0].received_at, 1000ms);
}

TEST(ProviderRetry, ServerErrorsExhaustTheAttempts) {
  testlib::FakeLlmServer server;
  for (int i = 0; i < 3; ++i)
    server.enqueue(testlib::openai_error(500, "boom"));
  server.enqueue(testlib::openai_json(ScriptedTurn{"never", {}, 1, 1, 5, "m"}));
  auto provider = provider_for(fake_settings(server));
  auto response = provider->chat(simple_request(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::http_error);
  EXPECT_EQ(response.error().message, "POST " + server.base_url() +
                                          "/v1/chat/completions: HTTP 500: boom "
                                          "(gave up after 3 attempts)");
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(ProviderRetry, UnauthorizedIsNotRetried) {
  testlib::FakeLlmServer server;
  server.enqueue(testlib::openai_error(401, "invalid api key"));
  server.enqueue(testlib::openai_json(ScriptedTurn{"never", {}, 1, 1, 5, "m"}));
  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::http_error);
  EXPECT_EQ(response.error().message,
            "POST " + server.base_url() + "/v1/chat/completions: HTTP 401: invalid api key");
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(log.events.empty());
}

TEST(ProviderRetry, DroppedConnectionIsRetried) {
  testlib::FakeLlmServer server;
  ScriptedResponse drop;
  drop.drop_connection = true;
  server.enqueue(drop);
  server.enqueue(testlib::openai_stream(ScriptedTurn{"second", {}, 1, 1, 5, "m"}));
  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "second");
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ProviderRetry, ConnectionRefusedGivesUpWithAClearMessage) {
  std::string base_url;
  {
    testlib::FakeLlmServer closed;  // a port that was just free and is closed again
    base_url = closed.base_url();
  }
  ProviderSettings settings;
  settings.base_url = base_url;
  settings.model = "m";
  settings.api_key = kApiKey;
  settings.retry = RetryPolicy{2, 1ms, 2ms};
  auto provider = provider_for(settings);
  auto response = provider->chat(simple_request(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::connection_failed);
  EXPECT_TRUE(response.error().message.starts_with("POST " + base_url + "/chat/completions: "))
      << response.error().message;
  EXPECT_TRUE(response.error().message.ends_with("(gave up after 2 attempts)"))
      << response.error().message;
}

TEST(ProviderRetry, ConnectionLostBeforeOutputIsRetried) {
  testlib::FakeLlmServer server;
  // Only the role chunk (no visible output) before the connection breaks.
  ScriptedResponse cut =
      testlib::sse_stream({testlib::openai_chunk({{"role", "assistant"}, {"content", ""}})});
  cut.cut_off = true;
  server.enqueue(cut);
  server.enqueue(testlib::openai_stream(ScriptedTurn{"whole answer", {}, 1, 1, 5, "m"}));
  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(log.text(), "whole answer");
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ProviderRetry, NothingIsRetriedOnceOutputWasDelivered) {
  testlib::FakeLlmServer server;
  ScriptedResponse cut = testlib::sse_stream({testlib::openai_chunk({{"content", "partial "}}),
                                              testlib::openai_chunk({{"content", "answer"}})});
  cut.cut_off = true;
  server.enqueue(cut);
  server.enqueue(testlib::openai_stream(ScriptedTurn{"must not be fetched", {}, 1, 1, 5, "m"}));
  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::connection_failed);
  EXPECT_TRUE(
      response.error().message.starts_with("POST " + server.base_url() + "/v1/chat/completions: "))
      << response.error().message;
  EXPECT_EQ(log.text(), "partial answer");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ProviderRetry, StreamClosedWithoutEndMarkerIsAnError) {
  testlib::FakeLlmServer server;
  ScriptedResponse closed = testlib::sse_stream({testlib::openai_chunk({{"content", "half"}})});
  closed.framing = ScriptedResponse::Framing::close;
  server.enqueue(closed);
  auto provider = provider_for(fake_settings(server));
  EventLog log;
  auto response = provider->stream_chat(simple_request(), log.handler(), CancelToken());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::invalid_response);
  EXPECT_EQ(response.error().message,
            "POST " + server.base_url() + "/v1/chat/completions: stream ended before [DONE]");
  EXPECT_EQ(server.request_count(), 1u);
}

}  // namespace
}  // namespace oxydra::provider::test
