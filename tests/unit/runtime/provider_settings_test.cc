#include "oxydra/runtime/provider_settings.h"

#include <gtest/gtest.h>

#include "oxydra/runtime/limits.h"

namespace oxydra::runtime {
namespace {

TEST(ProviderSettings, MapsTheProviderEntry) {
  ProviderConfig config;
  config.api = ApiKind::anthropic;
  config.base_url = "https://api.anthropic.com";
  config.model = "claude";
  config.max_tokens = 1234;
  config.request_timeout_secs = 7;
  config.stream_idle_timeout_secs = 9;
  config.max_retries = 4;
  auto settings = provider_settings(config, "sk-secret");
  EXPECT_EQ(settings.api, provider::ApiKind::anthropic);
  EXPECT_EQ(settings.base_url, "https://api.anthropic.com");
  EXPECT_EQ(settings.model, "claude");
  EXPECT_EQ(settings.api_key, "sk-secret");
  EXPECT_EQ(settings.max_tokens, 1234);
  EXPECT_EQ(settings.request_timeout, std::chrono::seconds(7));
  EXPECT_EQ(settings.idle_timeout, std::chrono::seconds(9));
  EXPECT_EQ(settings.retry.max_attempts, 5);
}

TEST(TurnLimits, ComeFromRuntimeAndTheSelectedProvidersPrices) {
  AgentConfig config;
  config.provider = "p";
  ProviderConfig p;
  p.input_price_per_mtok = 2.0;
  p.output_price_per_mtok = 8.0;
  config.providers["p"] = p;
  config.runtime.max_turns = 3;
  config.runtime.turn_timeout_secs = 11;
  config.runtime.max_cost = 0.5;
  auto limits = turn_limits(config);
  EXPECT_EQ(limits.max_turns, 3);
  EXPECT_EQ(limits.turn_timeout, std::chrono::seconds(11));
  EXPECT_EQ(limits.max_cost, 0.5);
  EXPECT_DOUBLE_EQ(*usage_cost(limits, 1'000'000, 500'000), 6.0);
  limits.output_price_per_mtok.reset();
  EXPECT_FALSE(usage_cost(limits, 1, 1).has_value());
  EXPECT_FALSE(system_prompt(config).empty());
  config.runtime.system_prompt = "custom";
  EXPECT_EQ(system_prompt(config), "custom");
}

}  // namespace
}  // namespace oxydra::runtime
