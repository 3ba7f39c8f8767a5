#include "oxydra/types/agent_config_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace oxydra {
namespace {

using nlohmann::json;

AgentConfig full_config() {
  AgentConfig config;
  config.source = "agent_config";
  config.provider = "claude";
  ProviderConfig claude;
  claude.api = ApiKind::anthropic;
  claude.base_url = "https://api.anthropic.com";
  claude.model = "claude-sonnet-4-5";
  claude.credential = "anthropic";
  claude.api_key_env = "ANTHROPIC_API_KEY";
  claude.max_tokens = 8192;
  claude.input_price_per_mtok = 3.0;
  claude.output_price_per_mtok = 15.0;
  claude.request_timeout_secs = 30;
  claude.stream_idle_timeout_secs = 20;
  claude.max_retries = 1;
  config.providers["claude"] = claude;
  ProviderConfig local;
  local.base_url = "http://127.0.0.1:11434/v1";
  local.model = "llama3";
  config.providers["local"] = local;
  config.runtime = {60, 4, 0.25, "Be brief."};
  config.memory = {false, "internal/m.db"};
  config.tools.shell = {true, 9, 2048};
  config.tools.files.enabled = false;
  return config;
}

TEST(AgentConfigJson, RoundTripsEveryField) {
  const AgentConfig config = full_config();
  auto back = agent_config_from_json(to_json(config));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, config);
}

TEST(AgentConfigJson, RoundTripSurvivesSerialisation) {
  const AgentConfig config = full_config();
  auto back = agent_config_from_json(json::parse(to_json(config).dump()));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, config);
}

TEST(AgentConfigJson, LeavesOutAbsentOptionals) {
  AgentConfig config = full_config();
  config.runtime.max_cost.reset();
  config.providers["claude"].input_price_per_mtok.reset();
  const json j = to_json(config);
  EXPECT_FALSE(j["runtime"].contains("max_cost"));
  EXPECT_FALSE(j["providers"]["claude"].contains("input_price_per_mtok"));
  EXPECT_FALSE(j.contains("source"));
  auto back = agent_config_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, config);
}

TEST(AgentConfigJson, AbsentSectionsTakeDefaultsAndUnknownFieldsAreIgnored) {
  const json j = {{"provider", "p"},
                  {"future_field", 1},
                  {"providers", {{"p", {{"base_url", "http://x"}, {"model", "m"}, {"new", 2}}}}}};
  auto config = agent_config_from_json(j);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->runtime, RuntimeLimits{});
  EXPECT_EQ(config->memory, MemoryConfig{});
  EXPECT_EQ(config->tools, ToolsConfig{});
  EXPECT_EQ(config->selected_provider().max_tokens, 4096);
}

void expect_error(const json& j, const std::string& message) {
  auto config = agent_config_from_json(j);
  ASSERT_FALSE(config) << j.dump();
  EXPECT_EQ(config.error().code, ErrorCode::invalid_config);
  EXPECT_EQ(config.error().message, message);
}

TEST(AgentConfigJson, TypeErrorsNameTheJsonPath) {
  expect_error(json::array(), "agent_config: must be an object");
  expect_error({{"providers", json::object()}}, "agent_config.provider: is required");
  expect_error({{"provider", "p"}}, "agent_config.providers: is required");
  expect_error({{"provider", "p"}, {"providers", {{"p", 1}}}},
               "agent_config.providers.p: must be an object");
  expect_error({{"provider", "p"}, {"providers", {{"p", {{"model", "m"}}}}}},
               "agent_config.providers.p.base_url: is required");
  expect_error({{"provider", "p"},
                {"providers", {{"p", {{"base_url", "http://x"}, {"model", "m"}, {"api", "x"}}}}}},
               "agent_config.providers.p.api: must be one of \"openai_chat\", \"anthropic\" (got "
               "\"x\")");
  json base = to_json(full_config());
  json bad = base;
  bad["runtime"]["max_turns"] = "4";
  expect_error(bad, "agent_config.runtime.max_turns: must be an integer");
  bad = base;
  bad["tools"]["shell"]["enabled"] = 1;
  expect_error(bad, "agent_config.tools.shell.enabled: must be a boolean");
  bad = base;
  bad["memory"] = "on";
  expect_error(bad, "agent_config.memory: must be an object");
}

TEST(AgentConfigJson, ValidatesLikeTheTomlLoader) {
  json bad = to_json(full_config());
  bad["runtime"]["max_turns"] = 0;
  expect_error(bad, "agent_config.runtime.max_turns: must be at least 1 (got 0)");
  bad = to_json(full_config());
  bad["provider"] = "missing";
  expect_error(bad,
               "agent_config.provider: \"missing\" is not defined under [providers] (defined: "
               "claude, local)");
  bad = to_json(full_config());
  bad["memory"]["db_path"] = "/etc/passwd";
  expect_error(bad,
               "agent_config.memory.db_path: must be a path inside the user's workspace "
               "(relative, without \"..\")");
}

TEST(AgentConfigJson, CustomPathPrefixesMessages) {
  auto config = agent_config_from_json(json::object(), "payload.agent_config");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "payload.agent_config.provider: is required");
}

}  // namespace
}  // namespace oxydra
