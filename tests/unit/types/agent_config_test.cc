#include "oxydra/types/agent_config.h"

#include <gtest/gtest.h>

#include <string>

namespace oxydra {
namespace {

constexpr const char* kMinimalAgent = R"(
provider = "openai"
[providers.openai]
base_url = "https://api.openai.com/v1"
model = "gpt-4o-mini"
)";

Result<AgentConfig> parse_agent(const std::string& text) {
  return parse_agent_config(text, "agent.toml");
}

void expect_agent_error(const std::string& text, const std::string& message) {
  auto config = parse_agent(text);
  ASSERT_FALSE(config) << "accepted:\n" << text;
  EXPECT_EQ(config.error().code, ErrorCode::invalid_config);
  EXPECT_EQ(config.error().message, message);
}

TEST(AgentConfig, MinimalConfigTakesDocumentedDefaults) {
  auto config = parse_agent(kMinimalAgent);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->source, "agent.toml");
  EXPECT_EQ(config->provider, "openai");
  const auto& p = config->selected_provider();
  EXPECT_EQ(p.api, ApiKind::openai_chat);
  EXPECT_EQ(p.credential, "");
  EXPECT_EQ(p.max_tokens, 4096);
  EXPECT_FALSE(p.input_price_per_mtok.has_value());
  EXPECT_EQ(p.request_timeout_secs, 120);
  EXPECT_EQ(p.stream_idle_timeout_secs, 60);
  EXPECT_EQ(p.max_retries, 3);
  EXPECT_EQ(config->runtime, RuntimeLimits{});
  EXPECT_EQ(config->runtime.turn_timeout_secs, 600);
  EXPECT_EQ(config->runtime.max_turns, 32);
  EXPECT_TRUE(config->memory.enabled);
  EXPECT_EQ(config->memory.db_path, "internal/memory.db");
  EXPECT_TRUE(config->tools.shell.enabled);
  EXPECT_EQ(config->tools.shell.timeout_secs, 120);
  EXPECT_EQ(config->tools.shell.max_output_bytes, 65536);
  EXPECT_TRUE(config->tools.files.enabled);
}

TEST(AgentConfig, ReadsEverySection) {
  auto config = parse_agent(R"(
provider = "claude"
[providers.claude]
api = "anthropic"
base_url = "https://api.anthropic.com"
model = "claude-sonnet-4-5"
credential = "anthropic"
api_key_env = "ANTHROPIC_API_KEY"
max_tokens = 8192
input_price_per_mtok = 3
output_price_per_mtok = 15.0
request_timeout_secs = 30
stream_idle_timeout_secs = 20
max_retries = 0
[providers.local]
base_url = "http://127.0.0.1:11434/v1"
model = "llama3"
[runtime]
turn_timeout_secs = 60
max_turns = 4
max_cost = 0.5
system_prompt = "Be brief."
[memory]
enabled = false
db_path = "internal/other.db"
[tools.shell]
enabled = false
timeout_secs = 5
max_output_bytes = 1024
[tools.files]
enabled = false
)");
  ASSERT_TRUE(config) << config.error().message;
  const auto& p = config->selected_provider();
  EXPECT_EQ(p.api, ApiKind::anthropic);
  EXPECT_EQ(p.credential, "anthropic");
  EXPECT_EQ(p.api_key_env, "ANTHROPIC_API_KEY");
  EXPECT_EQ(p.max_tokens, 8192);
  EXPECT_EQ(p.input_price_per_mtok, 3.0);
  EXPECT_EQ(p.output_price_per_mtok, 15.0);
  EXPECT_EQ(p.request_timeout_secs, 30);
  EXPECT_EQ(p.stream_idle_timeout_secs, 20);
  EXPECT_EQ(p.max_retries, 0);
  EXPECT_EQ(config->providers.size(), 2u);
  EXPECT_EQ(config->runtime.max_cost, 0.5);
  EXPECT_EQ(config->runtime.system_prompt, "Be brief.");
  EXPECT_FALSE(config->memory.enabled);
  EXPECT_EQ(config->memory.db_path, "internal/other.db");
  EXPECT_EQ(config->tools.shell, (ShellToolConfig{false, 5, 1024}));
  EXPECT_FALSE(config->tools.files.enabled);
}

TEST(AgentConfig, ProviderSelectionMustExist) {
  expect_agent_error("[providers.a]\nbase_url = \"http://x\"\nmodel = \"m\"\n",
                     "agent.toml: provider: is required");
  expect_agent_error(std::string("provider = \"\"\n") + R"([providers.a]
base_url = "http://x"
model = "m")",
                     "agent.toml: provider: must not be empty");
  expect_agent_error(
      R"(provider = "b"
[providers.a]
base_url = "http://x"
model = "m"
[providers.c]
base_url = "http://x"
model = "m")",
      "agent.toml: provider: \"b\" is not defined under [providers] (defined: a, c)");
  expect_agent_error("provider = \"a\"\n", "agent.toml: providers: is required");
  expect_agent_error("provider = \"a\"\n[providers]\n",
                     "agent.toml: providers: at least one provider must be defined");
}

TEST(AgentConfig, ProviderFieldsAreValidated) {
  const std::string head = "provider = \"p\"\n[providers.p]\n";
  expect_agent_error(head + "model = \"m\"\n", "agent.toml: providers.p.base_url: is required");
  expect_agent_error(head + "base_url = \"http://x\"\n",
                     "agent.toml: providers.p.model: is required");
  expect_agent_error(head + "base_url = \"\"\nmodel = \"m\"\n",
                     "agent.toml: providers.p.base_url: must not be empty");
  expect_agent_error(
      head + "base_url = \"api.openai.com\"\nmodel = \"m\"\n",
      "agent.toml: providers.p.base_url: \"api.openai.com\" must start with http:// or "
      "https://");
  expect_agent_error(head + "base_url = \"http://x\"\nmodel = \"  \"\n",
                     "agent.toml: providers.p.model: must not be empty");
  expect_agent_error(
      head + "api = \"gemini\"\nbase_url = \"http://x\"\nmodel = \"m\"\n",
      "agent.toml: providers.p.api: must be one of \"openai_chat\", \"anthropic\" (got "
      "\"gemini\")");
  expect_agent_error(
      head + "base_url = \"http://x\"\nmodel = \"m\"\ncredential = \"a b\"\n",
      "agent.toml: providers.p.credential: credential name \"a b\" may only use A-Z a-z "
      "0-9 . _ -");
  expect_agent_error(head + "base_url = \"http://x\"\nmodel = \"m\"\napi_key_env = \"env:X\"\n",
                     "agent.toml: providers.p.api_key_env: must be an environment variable name "
                     "([A-Za-z_][A-Za-z0-9_]*)");
  expect_agent_error(head + "base_url = \"http://x\"\nmodel = \"m\"\nmax_tokens = 0\n",
                     "agent.toml: providers.p.max_tokens: must be at least 1 (got 0)");
  expect_agent_error(head + "base_url = \"http://x\"\nmodel = \"m\"\ninput_price_per_mtok = -1\n",
                     "agent.toml: providers.p.input_price_per_mtok: must be a number >= 0");
  expect_agent_error(head + "base_url = \"http://x\"\nmodel = \"m\"\noutput_price_per_mtok = nan\n",
                     "agent.toml: providers.p.output_price_per_mtok: must be a number >= 0");
  expect_agent_error(head + "base_url = \"http://x\"\nmodel = \"m\"\nrequest_timeout_secs = 0\n",
                     "agent.toml: providers.p.request_timeout_secs: must be at least 1 (got 0)");
  expect_agent_error(
      head + "base_url = \"http://x\"\nmodel = \"m\"\nstream_idle_timeout_secs = 0\n",
      "agent.toml: providers.p.stream_idle_timeout_secs: must be at least 1 (got 0)");
  expect_agent_error(head + "base_url = \"http://x\"\nmodel = \"m\"\nmax_retries = 21\n",
                     "agent.toml: providers.p.max_retries: must be between 0 and 20 (got 21)");
  expect_agent_error(
      head + "base_url = \"http://x\"\nmodel = \"m\"\nmodle = \"m\"\n",
      "agent.toml: providers.p.modle: unknown key (expected one of: api, base_url, model, "
      "credential, api_key_env, max_tokens, input_price_per_mtok, output_price_per_mtok, "
      "request_timeout_secs, stream_idle_timeout_secs, max_retries)");
  expect_agent_error("provider = \"p\"\n[providers]\np = \"x\"\n",
                     "agent.toml: providers.p: must be a table");
  expect_agent_error(
      std::string("provider = \" \"\n[providers.\" \"]\nbase_url = \"http://x\"\nmodel = "
                  "\"m\"\n"),
      "agent.toml: provider: must not be empty");
}

TEST(AgentConfig, RuntimeLimitsArePositive) {
  expect_agent_error(std::string(kMinimalAgent) + "[runtime]\nturn_timeout_secs = 0\n",
                     "agent.toml: runtime.turn_timeout_secs: must be at least 1 (got 0)");
  expect_agent_error(std::string(kMinimalAgent) + "[runtime]\nmax_turns = -3\n",
                     "agent.toml: runtime.max_turns: must be at least 1 (got -3)");
  expect_agent_error(
      std::string(kMinimalAgent) + "[runtime]\nmax_cost = 0\n",
      "agent.toml: runtime.max_cost: must be a number > 0 (leave it out for no limit)");
  expect_agent_error(std::string(kMinimalAgent) + "[runtime]\nmax_cost = 1.0\n",
                     "agent.toml: runtime.max_cost: needs input_price_per_mtok and "
                     "output_price_per_mtok on provider \"openai\" to compute a cost");
  EXPECT_TRUE(parse_agent(std::string(kMinimalAgent) +
                          "input_price_per_mtok = 0.15\noutput_price_per_mtok = 0.6\n"
                          "[runtime]\nmax_cost = 1.0\n"));
  expect_agent_error(std::string(kMinimalAgent) + "[runtime]\nmax_turns = \"10\"\n",
                     "agent.toml: runtime.max_turns: must be an integer");
  expect_agent_error(std::string(kMinimalAgent) + "[runtime]\nmax_cost = \"1\"\n",
                     "agent.toml: runtime.max_cost: must be a number");
}

TEST(AgentConfig, MemoryPathStaysInsideTheWorkspace) {
  EXPECT_TRUE(
      parse_agent(std::string(kMinimalAgent) + "[memory]\ndb_path = \"internal/x/m.db\"\n"));
  for (const char* bad : {"/var/lib/m.db", "../m.db", "internal/../../m.db"}) {
    expect_agent_error(std::string(kMinimalAgent) + "[memory]\ndb_path = \"" + bad + "\"\n",
                       "agent.toml: memory.db_path: must be a path inside the user's workspace "
                       "(relative, without \"..\")");
  }
  expect_agent_error(std::string(kMinimalAgent) + "[memory]\ndb_path = \"\"\n",
                     "agent.toml: memory.db_path: must not be empty");
}

TEST(AgentConfig, ShellToolLimits) {
  expect_agent_error(std::string(kMinimalAgent) + "[tools.shell]\ntimeout_secs = 0\n",
                     "agent.toml: tools.shell.timeout_secs: must be at least 1 (got 0)");
  expect_agent_error(
      std::string(kMinimalAgent) + "[tools.shell]\nmax_output_bytes = 0\n",
      "agent.toml: tools.shell.max_output_bytes: must be between 1 and 4194304 (got 0)");
  expect_agent_error(std::string(kMinimalAgent) + "[tools.shell]\nmax_output_bytes = 4194305\n",
                     "agent.toml: tools.shell.max_output_bytes: must be between 1 and 4194304 (got "
                     "4194305)");
  expect_agent_error(std::string(kMinimalAgent) + "[tools.browser]\nenabled = true\n",
                     "agent.toml: tools.browser: unknown key (expected one of: shell, files)");
  expect_agent_error(std::string(kMinimalAgent) + "[tools.files]\nroot = \"/\"\n",
                     "agent.toml: tools.files.root: unknown key (expected one of: enabled)");
  EXPECT_TRUE(
      parse_agent(std::string(kMinimalAgent) + "[tools.shell]\nmax_output_bytes = 4194304\n"));
}

TEST(AgentConfig, UnknownTopLevelKeyIsRefused) {
  expect_agent_error(
      std::string(kMinimalAgent) + "[memmory]\nenabled = false\n",
      "agent.toml: memmory: unknown key (expected one of: provider, providers, runtime, "
      "memory, tools)");
}

TEST(AgentConfig, ApiKindRoundTrips) {
  for (auto api : {ApiKind::openai_chat, ApiKind::anthropic}) {
    auto parsed = parse_api_kind(to_string(api));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, api);
  }
  EXPECT_FALSE(parse_api_kind("openai"));
}

}  // namespace
}  // namespace oxydra
