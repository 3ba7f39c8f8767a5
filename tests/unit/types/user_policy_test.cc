#include "oxydra/types/user_policy.h"

#include <gtest/gtest.h>

namespace oxydra {
namespace {

RunnerConfig runner() {
  RunnerConfig config;
  config.source = "runner.toml";
  config.workspace_root = "/srv/oxydra";
  config.users["alice"] = UserEntry{"/etc/oxydra/users/alice.toml", {}, {}};
  return config;
}

UserConfig user() {
  UserConfig config;
  config.source = "users/alice.toml";
  config.agent_config = "/etc/oxydra/agent.toml";
  return config;
}

TEST(ResolveTier, InsecureForcesProcess) {
  auto tier = resolve_tier(SandboxTier::micro_vm, SandboxTier::micro_vm, true);
  ASSERT_TRUE(tier);
  EXPECT_EQ(*tier, SandboxTier::process);
}

TEST(ResolveTier, UserTierElseDefault) {
  EXPECT_EQ(resolve_tier(SandboxTier::container, std::nullopt, false).value(),
            SandboxTier::container);
  EXPECT_EQ(resolve_tier(SandboxTier::container, SandboxTier::micro_vm, false).value(),
            SandboxTier::micro_vm);
  EXPECT_EQ(resolve_tier(SandboxTier::container, SandboxTier::container, false).value(),
            SandboxTier::container);
}

TEST(ResolveTier, UserCannotWeakenTheDefault) {
  auto tier = resolve_tier(SandboxTier::micro_vm, SandboxTier::container, false);
  ASSERT_FALSE(tier);
  EXPECT_EQ(tier.error().code, ErrorCode::invalid_config);
  EXPECT_EQ(tier.error().message,
            "behavior.sandbox_tier: \"container\" is weaker than the runner's default_tier "
            "\"micro_vm\"; a user may only choose an equal or stronger tier");
}

TEST(UserPolicy, DefaultsComeFromTheRunner) {
  auto policy = resolve_user_policy(runner(), "alice", user(), false);
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->tier, SandboxTier::container);
  EXPECT_EQ(policy->layout.root, "/srv/oxydra/alice");
  EXPECT_EQ(policy->shared, "/srv/oxydra/alice/shared");
  EXPECT_EQ(policy->tmp, "/srv/oxydra/alice/tmp");
  EXPECT_EQ(policy->vault, "/srv/oxydra/alice/vault");
  EXPECT_EQ(policy->resources, UserResources{});
  EXPECT_EQ(policy->shell, (ToolGrant{true, ""}));
  EXPECT_EQ(policy->browser, (ToolGrant{false, "disabled_by_runner_policy"}));
  EXPECT_FALSE(policy->shell_network);
}

TEST(UserPolicy, UserCanOnlyRestrictTools) {
  RunnerConfig r = runner();
  r.policy.browser_enabled = true;
  r.policy.shell_network = true;
  UserConfig u = user();
  auto policy = resolve_user_policy(r, "alice", u, false);
  ASSERT_TRUE(policy);
  EXPECT_TRUE(policy->browser.enabled);
  EXPECT_TRUE(policy->shell_network);

  u.behavior.shell_enabled = false;
  u.behavior.browser_enabled = false;
  policy = resolve_user_policy(r, "alice", u, false);
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->shell, (ToolGrant{false, "disabled_by_user_config"}));
  EXPECT_EQ(policy->browser, (ToolGrant{false, "disabled_by_user_config"}));
  EXPECT_FALSE(policy->shell_network);

  r.policy.shell_enabled = false;
  u.behavior.shell_enabled = true;
  policy = resolve_user_policy(r, "alice", u, false);
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->shell, (ToolGrant{false, "disabled_by_runner_policy"}));
}

TEST(UserPolicy, ShellNetworkNeedsRunnerAndUser) {
  RunnerConfig r = runner();
  UserConfig u = user();
  u.behavior.shell_network = true;
  EXPECT_FALSE(resolve_user_policy(r, "alice", u, false)->shell_network);
  r.policy.shell_network = true;
  u.behavior.shell_network = false;
  EXPECT_FALSE(resolve_user_policy(r, "alice", u, false)->shell_network);
}

TEST(UserPolicy, ProcessTierDisablesShellAndBrowser) {
  RunnerConfig r = runner();
  r.policy.browser_enabled = true;
  r.policy.shell_network = true;
  auto policy = resolve_user_policy(r, "alice", user(), true);
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->tier, SandboxTier::process);
  EXPECT_EQ(policy->shell, (ToolGrant{false, "insecure_process_tier"}));
  EXPECT_EQ(policy->browser, (ToolGrant{false, "insecure_process_tier"}));
  EXPECT_FALSE(policy->shell_network);
}

TEST(UserPolicy, WeakerTierErrorNamesTheUserFile) {
  RunnerConfig r = runner();
  r.default_tier = SandboxTier::micro_vm;
  UserConfig u = user();
  u.behavior.sandbox_tier = SandboxTier::container;
  auto policy = resolve_user_policy(r, "alice", u, false);
  ASSERT_FALSE(policy);
  EXPECT_EQ(policy.error().message.rfind("users/alice.toml: behavior.sandbox_tier: ", 0), 0u);
  u.behavior.sandbox_tier = SandboxTier::micro_vm;
  EXPECT_TRUE(resolve_user_policy(r, "alice", u, false));
}

TEST(UserPolicy, ResourcesMustFitThePolicy) {
  UserConfig u = user();
  u.resources = {4, 4096, 1024};
  EXPECT_TRUE(resolve_user_policy(runner(), "alice", u, false));
  u.resources.max_vcpus = 5;
  auto policy = resolve_user_policy(runner(), "alice", u, false);
  ASSERT_FALSE(policy);
  EXPECT_EQ(policy.error().code, ErrorCode::invalid_config);
  EXPECT_EQ(policy.error().message,
            "users/alice.toml: resources.max_vcpus: 5 exceeds the runner's policy.max_vcpus (4) "
            "in runner.toml");
  u.resources = {1, 4097, 1};
  EXPECT_FALSE(resolve_user_policy(runner(), "alice", u, false));
  u.resources = {1, 1024, 1025};
  EXPECT_FALSE(resolve_user_policy(runner(), "alice", u, false));
}

RunnerConfig runner_with_roots() {
  RunnerConfig r = runner();
  r.policy.mount_roots = {"/data"};
  return r;
}

TEST(UserPolicy, MountOverridesNeedAnOperatorRoot) {
  UserConfig u = user();
  u.mounts.shared = "/etc";
  auto result = resolve_user_policy(runner(), "alice", u, false);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "users/alice.toml: mounts.shared: overrides are not allowed: runner.toml lists no "
            "mount_roots for this user (policy.mount_roots or users.alice.mount_roots)");

  result = resolve_user_policy(runner_with_roots(), "alice", u, false);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "users/alice.toml: mounts.shared: \"/etc\" is not inside one of the mount_roots that "
            "runner.toml allows for this user");

  // The root itself is not an override target (it may hold other users' data),
  // and ".." cannot climb out of it.
  for (const char* outside : {"/data", "/data/../etc"}) {
    u.mounts.shared = outside;
    EXPECT_FALSE(resolve_user_policy(runner_with_roots(), "alice", u, false)) << outside;
  }

  RunnerConfig per_user = runner();
  per_user.users["alice"].mount_roots = {"/srv/team"};
  u.mounts.shared = "/srv/team/alice";
  auto policy = resolve_user_policy(per_user, "alice", u, false);
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->mount_roots, std::vector<std::filesystem::path>{"/srv/team"});
  // Bob's config could not use alice's root.
  per_user.users["bob"] = UserEntry{"/etc/oxydra/users/bob.toml", {}, {}};
  EXPECT_FALSE(resolve_user_policy(per_user, "bob", u, false));
}

TEST(UserPolicy, CredentialRefsNameOnlyWhatTheOperatorAssigned) {
  UserConfig u = user();
  u.credential_refs["key"] = CredentialRef{CredentialRef::Kind::env, "AWS_SECRET_ACCESS_KEY"};
  auto result = resolve_user_policy(runner(), "alice", u, false);
  ASSERT_FALSE(result);
  EXPECT_EQ(
      result.error().message,
      "users/alice.toml: credential_refs.key: \"env:AWS_SECRET_ACCESS_KEY\": runner.toml does "
      "not allow this user the environment variable AWS_SECRET_ACCESS_KEY "
      "(policy.credential_envs or users.alice.credential_envs)");
  RunnerConfig r = runner();
  r.users["alice"].credential_envs = {"AWS_SECRET_ACCESS_KEY"};
  EXPECT_TRUE(resolve_user_policy(r, "alice", u, false));

  u.credential_refs["key"] = CredentialRef{CredentialRef::Kind::file, "/etc/shadow"};
  result = resolve_user_policy(r, "alice", u, false);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "users/alice.toml: credential_refs.key: \"file:/etc/shadow\": file refs are not "
            "allowed: runner.toml sets no policy.secrets_dir");
  r.policy.secrets_dir = "/etc/oxydra/secrets";
  result = resolve_user_policy(r, "alice", u, false);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "users/alice.toml: credential_refs.key: \"file:/etc/shadow\": must name a file under "
            "/etc/oxydra/secrets/alice (this user's directory in policy.secrets_dir)");
  for (const char* bad : {"/etc/oxydra/secrets/bob/key", "/etc/oxydra/secrets/alice/../bob/key",
                          "/etc/oxydra/secrets/alice"}) {
    u.credential_refs["key"] = CredentialRef{CredentialRef::Kind::file, bad};
    EXPECT_FALSE(resolve_user_policy(r, "alice", u, false)) << bad;
  }
  u.credential_refs["key"] =
      CredentialRef{CredentialRef::Kind::file, "/etc/oxydra/secrets/alice/key"};
  EXPECT_TRUE(resolve_user_policy(r, "alice", u, false));
  EXPECT_EQ(user_secrets_dir(r, "alice"), "/etc/oxydra/secrets/alice");
}

TEST(UserPolicy, MountOverridesStayOutOfOtherWorkspaces) {
  UserConfig u = user();
  u.mounts.shared = "/data/alice/shared";
  u.mounts.vault = "/data/alice/vault";
  auto policy = resolve_user_policy(runner_with_roots(), "alice", u, false);
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->shared, "/data/alice/shared");
  EXPECT_EQ(policy->tmp, "/srv/oxydra/alice/tmp");
  EXPECT_EQ(policy->vault, "/data/alice/vault");

  struct Case {
    std::optional<std::filesystem::path> shared;
    std::optional<std::filesystem::path> vault;
    std::string message;
  };
  const Case cases[] = {
      {"/srv/oxydra/bob/shared", std::nullopt,
       "users/alice.toml: mounts.shared: must be outside workspace_root (the default already "
       "lives there)"},
      {"/srv", std::nullopt,
       "users/alice.toml: mounts.shared: must not contain workspace_root (it would expose other "
       "users)"},
      {"/", std::nullopt,
       "users/alice.toml: mounts.shared: must not contain workspace_root (it would expose other "
       "users)"},
      {"relative/dir", std::nullopt,
       "users/alice.toml: mounts.shared: must resolve to an absolute path"},
      {"/data/v/shared", "/data/v",
       "users/alice.toml: mounts.shared: must not be inside (or equal to) the vault mount"},
      {"/data/x", "/data/x",
       "users/alice.toml: mounts.shared: must not be inside (or equal to) the vault mount"},
  };
  for (const auto& c : cases) {
    UserConfig bad = user();
    bad.mounts.shared = c.shared;
    bad.mounts.vault = c.vault;
    auto result = resolve_user_policy(runner_with_roots(), "alice", bad, false);
    ASSERT_FALSE(result) << c.message;
    EXPECT_EQ(result.error().message, c.message);
  }
}

TEST(UserPolicy, RejectsAnInvalidUserId) {
  auto policy = resolve_user_policy(runner(), "../bob", user(), false);
  ASSERT_FALSE(policy);
  EXPECT_EQ(policy.error().code, ErrorCode::invalid_user_id);
}

TEST(AgentCredentials, SelectedProviderCredentialMustBeAUserRef) {
  AgentConfig agent;
  agent.source = "agent.toml";
  agent.provider = "openai";
  agent.providers["openai"].credential = "openai";
  agent.providers["other"].credential = "not-checked";
  UserConfig u = user();
  auto result = check_agent_credentials(u, agent);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::invalid_config);
  EXPECT_EQ(result.error().message,
            "agent.toml: providers.openai.credential: \"openai\" is not among the credential_refs "
            "of users/alice.toml");
  u.credential_refs["openai"] = CredentialRef{CredentialRef::Kind::env, "OPENAI_API_KEY"};
  EXPECT_TRUE(check_agent_credentials(u, agent));
  agent.providers["openai"].credential.clear();
  EXPECT_TRUE(check_agent_credentials(user(), agent));
}

TEST(CredentialHosts, ABoundCredentialGoesOnlyToItsHosts) {
  RunnerConfig r = runner();
  UserConfig u = user();
  u.credential_refs["openai"] = CredentialRef{CredentialRef::Kind::env, "OPENAI_API_KEY"};
  AgentConfig agent;
  agent.source = "agent.toml";
  agent.provider = "openai";
  agent.providers["openai"].credential = "openai";
  agent.providers["openai"].base_url = "https://evil.example/v1";
  EXPECT_TRUE(check_credential_hosts(r, u, agent));  // not bound: no rule

  r.policy.credential_hosts["env:OPENAI_API_KEY"] = {"api.openai.com"};
  auto result = check_credential_hosts(r, u, agent);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "agent.toml: providers.openai.base_url: sends credential \"openai\" "
            "(env:OPENAI_API_KEY) to evil.example, but runner.toml binds it to: api.openai.com");
  agent.providers["openai"].base_url = "https://API.OpenAI.com/v1";
  EXPECT_TRUE(check_credential_hosts(r, u, agent));
}

}  // namespace
}  // namespace oxydra
