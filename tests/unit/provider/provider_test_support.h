#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "oxydra/provider/provider.h"
#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"

namespace oxydra::provider::test {

using namespace std::chrono_literals;

inline const std::string kApiKey = "sk-test-secret-key-0123456789";

// Settings aimed at a fake server, with retries fast enough for unit tests.
inline ProviderSettings fake_settings(const testlib::FakeLlmServer& server,
                                      ApiKind api = ApiKind::openai_chat) {
  ProviderSettings settings;
  settings.api = api;
  settings.base_url = server.base_url() + (api == ApiKind::openai_chat ? "/v1" : "");
  settings.model = "test-model";
  settings.api_key = kApiKey;
  settings.max_tokens = 256;
  settings.request_timeout = 60s;
  settings.idle_timeout = 30s;
  settings.retry = RetryPolicy{3, 1ms, 4ms};
  return settings;
}

inline std::unique_ptr<Provider> provider_for(ProviderSettings settings) {
  auto provider = make_provider(std::move(settings));
  if (!provider) ADD_FAILURE() << provider.error().message;
  return provider ? std::move(*provider) : nullptr;
}

// Collects streamed events.
struct EventLog {
  std::vector<ChatEvent> events;

  ChatEventHandler handler() {
    return [this](const ChatEvent& event) { events.push_back(event); };
  }
  std::string text() const {
    std::string out;
    for (const ChatEvent& event : events)
      if (event.kind == ChatEvent::Kind::text_delta) out += event.text;
    return out;
  }
  std::size_t count(ChatEvent::Kind kind) const {
    std::size_t n = 0;
    for (const ChatEvent& event : events)
      n += event.kind == kind;
    return n;
  }
};

inline ChatRequest simple_request(std::string text = "hello") {
  ChatRequest request;
  request.messages = {ChatMessage::user(std::move(text))};
  return request;
}

}  // namespace oxydra::provider::test
