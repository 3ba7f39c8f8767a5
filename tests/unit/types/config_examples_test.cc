#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "oxydra/testlib/paths.h"
#include "oxydra/types/agent_config.h"
#include "oxydra/types/agent_config_json.h"
#include "oxydra/types/runner_config.h"
#include "oxydra/types/user_config.h"
#include "oxydra/types/user_policy.h"

namespace oxydra {
namespace {

// The examples of the source tree this build came from.
class ConfigExamples : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testlib::source_dir()) / "examples" / "config";
    ASSERT_TRUE(std::filesystem::is_directory(dir_)) << dir_;
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigExamples, LoadResolveAndRoundTrip) {
  auto runner = load_runner_config(dir_ / "runner.toml");
  ASSERT_TRUE(runner) << runner.error().message;
  EXPECT_EQ(runner->workspace_root,
            (std::filesystem::absolute(dir_) / "workspace").lexically_normal());
  EXPECT_EQ(runner->default_tier, SandboxTier::container);
  ASSERT_EQ(runner->users.count("alice"), 1u);

  const auto user_path = runner->users.at("alice").config_path;
  EXPECT_TRUE(std::filesystem::exists(user_path)) << user_path;
  auto user = load_user_config(user_path);
  ASSERT_TRUE(user) << user.error().message;

  EXPECT_TRUE(std::filesystem::exists(user->agent_config)) << user->agent_config;
  auto agent = load_agent_config(user->agent_config);
  ASSERT_TRUE(agent) << agent.error().message;
  EXPECT_EQ(agent->provider, "openai");

  auto policy = resolve_user_policy(*runner, "alice", *user, false);
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->tier, SandboxTier::container);
  EXPECT_TRUE(policy->shell.enabled);
  EXPECT_TRUE(check_agent_credentials(*user, *agent));

  auto back = agent_config_from_json(to_json(*agent));
  ASSERT_TRUE(back) << back.error().message;
  back->source = agent->source;
  EXPECT_EQ(*back, *agent);
}

TEST_F(ConfigExamples, EveryExampleProviderCredentialIsARef) {
  auto user = load_user_config(dir_ / "users" / "alice.toml");
  auto agent = load_agent_config(dir_ / "agent.toml");
  ASSERT_TRUE(user && agent);
  for (const auto& [name, provider] : agent->providers) {
    if (provider.credential.empty()) continue;
    EXPECT_EQ(user->credential_refs.count(provider.credential), 1u) << name;
  }
}

}  // namespace
}  // namespace oxydra
