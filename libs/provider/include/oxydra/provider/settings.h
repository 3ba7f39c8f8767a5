#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace oxydra::provider {

enum class ApiKind {
  openai_chat,  // POST <base_url>/chat/completions (OpenAI, OpenRouter, Ollama, vLLM, llama.cpp)
  anthropic,    // POST <base_url>/v1/messages
};

struct RetryPolicy {
  int max_attempts = 3;  // total attempts, including the first
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{8000};
};

// Everything a provider client needs; the runtime maps its config onto this.
struct ProviderSettings {
  ApiKind api = ApiKind::openai_chat;
  std::string base_url;  // e.g. "https://api.openai.com/v1", "https://api.anthropic.com"
  std::string model;
  std::string api_key;  // secret: sent only as a header, never logged or put in an error
  std::int64_t max_tokens = 4096;
  std::chrono::milliseconds request_timeout{std::chrono::minutes(10)};  // 0: none
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(2)};      // streaming only; 0: none
  RetryPolicy retry;
  std::vector<std::pair<std::string, std::string>> extra_headers;  // e.g. OpenRouter's X-Title
  std::size_t max_response_bytes = 32u << 20;  // a non-streamed body or one stream event
  // A SOCKS5 proxy on a Unix socket (the runner's egress proxy): every
  // connection goes through it, names resolved on the proxy's side. "" = direct.
  std::string proxy_socket;
};

}  // namespace oxydra::provider
