#include "oxydra/runtime/provider_settings.h"

#include <chrono>

namespace oxydra::runtime {

provider::ProviderSettings provider_settings(const ProviderConfig& config, std::string api_key) {
  provider::ProviderSettings settings;
  settings.api = config.api == ApiKind::anthropic ? provider::ApiKind::anthropic
                                                  : provider::ApiKind::openai_chat;
  settings.base_url = config.base_url;
  settings.model = config.model;
  settings.api_key = std::move(api_key);
  settings.max_tokens = config.max_tokens;
  settings.request_timeout = std::chrono::seconds(config.request_timeout_secs);
  settings.idle_timeout = std::chrono::seconds(config.stream_idle_timeout_secs);
  settings.retry.max_attempts = static_cast<int>(config.max_retries) + 1;
  return settings;
}

}  // namespace oxydra::runtime
