#include "oxydra/types/user_config.h"

#include <gtest/gtest.h>

#include <string>

namespace oxydra {
namespace {

const std::filesystem::path kUserBase = "/etc/oxydra/users";
constexpr const char* kMinimalUser = "agent_config = \"../agent.toml\"\n";

Result<UserConfig> parse_user(const std::string& text) {
  return parse_user_config(text, "users/alice.toml", kUserBase);
}

void expect_user_error(const std::string& text, const std::string& message) {
  auto config = parse_user(text);
  ASSERT_FALSE(config) << "accepted:\n" << text;
  EXPECT_EQ(config.error().code, ErrorCode::invalid_config);
  EXPECT_EQ(config.error().message, message);
}

TEST(UserConfig, MinimalConfigTakesDocumentedDefaults) {
  auto config = parse_user(kMinimalUser);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->source, "users/alice.toml");
  EXPECT_EQ(config->agent_config, "/etc/oxydra/agent.toml");
  EXPECT_EQ(config->mounts, UserMounts{});
  EXPECT_EQ(config->resources.max_vcpus, 1);
  EXPECT_EQ(config->resources.max_memory_mib, 1024);
  EXPECT_EQ(config->resources.max_processes, 256);
  EXPECT_TRUE(config->credential_refs.empty());
  EXPECT_FALSE(config->behavior.sandbox_tier.has_value());
  EXPECT_TRUE(config->behavior.shell_enabled);
  EXPECT_TRUE(config->behavior.browser_enabled);
  EXPECT_TRUE(config->behavior.shell_network);
}

TEST(UserConfig, ReadsEverySectionAndResolvesPaths) {
  auto config = parse_user(std::string(kMinimalUser) + R"(
[mounts]
shared = "/data/alice"
tmp = "scratch/"
vault = "../vaults/alice"
[resources]
max_vcpus = 2
max_memory_mib = 2048
max_processes = 128
[credential_refs]
openai = "env:OPENAI_API_KEY"
anthropic = "file:keys/anthropic"
local = "file:/run/keys/local"
[behavior]
sandbox_tier = "micro_vm"
shell_enabled = false
browser_enabled = false
shell_network = false
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->mounts.shared, std::filesystem::path("/data/alice"));
  EXPECT_EQ(config->mounts.tmp, std::filesystem::path("/etc/oxydra/users/scratch"));
  EXPECT_EQ(config->mounts.vault, std::filesystem::path("/etc/oxydra/vaults/alice"));
  EXPECT_EQ(config->resources, (UserResources{2, 2048, 128}));
  ASSERT_EQ(config->credential_refs.size(), 3u);
  EXPECT_EQ(to_string(config->credential_refs.at("openai")), "env:OPENAI_API_KEY");
  EXPECT_EQ(to_string(config->credential_refs.at("anthropic")),
            "file:/etc/oxydra/users/keys/anthropic");
  EXPECT_EQ(to_string(config->credential_refs.at("local")), "file:/run/keys/local");
  EXPECT_EQ(config->behavior.sandbox_tier, SandboxTier::micro_vm);
  EXPECT_FALSE(config->behavior.shell_enabled);
  EXPECT_FALSE(config->behavior.browser_enabled);
  EXPECT_FALSE(config->behavior.shell_network);
}

TEST(UserConfig, AgentConfigIsRequired) {
  expect_user_error("", "users/alice.toml: agent_config: is required");
  expect_user_error("agent_config = \"\"\n", "users/alice.toml: agent_config: must not be empty");
}

TEST(UserConfig, RejectsUnknownKeys) {
  expect_user_error(std::string(kMinimalUser) + "agent = \"x\"\n",
                    "users/alice.toml: agent: unknown key (expected one of: agent_config, mounts, "
                    "resources, credential_refs, behavior)");
  expect_user_error(
      std::string(kMinimalUser) + "[mounts]\nshare = \"/x\"\n",
      "users/alice.toml: mounts.share: unknown key (expected one of: shared, tmp, vault)");
  expect_user_error(
      std::string(kMinimalUser) + "[resources]\nmax_cpus = 2\n",
      "users/alice.toml: resources.max_cpus: unknown key (expected one of: max_vcpus, "
      "max_memory_mib, max_processes, max_disk_mib)");
  expect_user_error(std::string(kMinimalUser) + "[behavior]\nshell = true\n",
                    "users/alice.toml: behavior.shell: unknown key (expected one of: sandbox_tier, "
                    "shell_enabled, browser_enabled, shell_network)");
}

TEST(UserConfig, ResourcesMustBePositive) {
  expect_user_error(std::string(kMinimalUser) + "[resources]\nmax_vcpus = 0\n",
                    "users/alice.toml: resources.max_vcpus: must be between 1 and 1024 (got 0)");
  expect_user_error(std::string(kMinimalUser) + "[resources]\nmax_memory_mib = 0\n",
                    "users/alice.toml: resources.max_memory_mib: must be at least 16 (got 0)");
  expect_user_error(std::string(kMinimalUser) + "[resources]\nmax_processes = 0\n",
                    "users/alice.toml: resources.max_processes: must be at least 1 (got 0)");
}

TEST(UserConfig, CredentialRefsAreCheckedByNameAndSyntax) {
  expect_user_error(
      std::string(kMinimalUser) + "[credential_refs]\nopenai = \"OPENAI_API_KEY\"\n",
      "users/alice.toml: credential_refs.openai: \"OPENAI_API_KEY\" is not a credential "
      "ref (expected env:NAME or file:PATH)");
  expect_user_error(
      std::string(kMinimalUser) + "[credential_refs]\nopenai = \"env:1X\"\n",
      "users/alice.toml: credential_refs.openai: \"env:1X\": env: must name a variable "
      "([A-Za-z_][A-Za-z0-9_]*)");
  expect_user_error(
      std::string(kMinimalUser) + "[credential_refs]\nopenai = \"file:\"\n",
      "users/alice.toml: credential_refs.openai: \"file:\" must be followed by a path");
  expect_user_error(std::string(kMinimalUser) + "[credential_refs]\n\"\" = \"env:X\"\n",
                    "users/alice.toml: credential_refs.\"\": credential name must not be empty");
  expect_user_error(
      std::string(kMinimalUser) + "[credential_refs]\n\"a b\" = \"env:X\"\n",
      "users/alice.toml: credential_refs.\"a b\": credential name \"a b\" may only use "
      "A-Z a-z 0-9 . _ -");
  expect_user_error(std::string(kMinimalUser) + "[credential_refs]\nopenai = 1\n",
                    "users/alice.toml: credential_refs.openai: must be a string");
}

TEST(UserConfig, SandboxTierCannotBeProcess) {
  expect_user_error(std::string(kMinimalUser) + "[behavior]\nsandbox_tier = \"process\"\n",
                    "users/alice.toml: behavior.sandbox_tier: \"process\" is only chosen with "
                    "--insecure (use micro_vm or container)");
  EXPECT_TRUE(parse_user(std::string(kMinimalUser) + "[behavior]\nsandbox_tier = \"container\"\n"));
}

TEST(UserConfig, MountsMustNotBeEmpty) {
  expect_user_error(std::string(kMinimalUser) + "[mounts]\nvault = \"\"\n",
                    "users/alice.toml: mounts.vault: must not be empty");
}

}  // namespace
}  // namespace oxydra
