#include "oxydra/types/user_policy.h"

#include "config_problems.h"
#include "oxydra/types/error_code.h"
#include "oxydra/types/user_id.h"

namespace oxydra {

Result<SandboxTier> resolve_tier(SandboxTier default_tier, std::optional<SandboxTier> user_tier,
                                 bool insecure) {
  if (insecure) return SandboxTier::process;
  if (!user_tier) return default_tier;
  if (isolation_strength(*user_tier) < isolation_strength(default_tier)) {
    return fail(ErrorCode::invalid_config,
                "behavior.sandbox_tier: \"" + std::string(to_string(*user_tier)) +
                    "\" is weaker than the runner's default_tier \"" +
                    std::string(to_string(default_tier)) +
                    "\"; a user may only choose an equal or stronger tier");
  }
  return *user_tier;
}

namespace {

ToolGrant grant(bool runner_allows, bool user_wants, SandboxTier tier) {
  if (tier == SandboxTier::process)
    return {false, std::string(to_string(ErrorCode::insecure_process_tier))};
  if (!runner_allows) return {false, "disabled_by_runner_policy"};
  if (!user_wants) return {false, "disabled_by_user_config"};
  return {true, ""};
}

void check_resource(detail::ConfigProblems& p, std::string_view key, std::int64_t wanted,
                    std::int64_t ceiling, std::string_view runner_source) {
  p.check(wanted <= ceiling, "resources." + std::string(key),
          std::to_string(wanted) + " exceeds the runner's policy." + std::string(key) + " (" +
              std::to_string(ceiling) + ") in " + std::string(runner_source));
}

void check_mount(detail::ConfigProblems& p, std::string_view key,
                 const std::optional<std::filesystem::path>& mount, const RunnerConfig& runner) {
  if (!mount) return;
  const std::string name = "mounts." + std::string(key);
  if (!p.check(mount->is_absolute(), name, "must resolve to an absolute path")) return;
  if (!p.check(!path_within(*mount, runner.workspace_root), name,
               "must be outside workspace_root (the default already lives there)")) {
    return;
  }
  p.check(!path_within(runner.workspace_root, *mount), name,
          "must not contain workspace_root (it would expose other users)");
}

void check_not_nested(detail::ConfigProblems& p, const UserPolicy& policy) {
  const std::pair<std::string_view, const std::filesystem::path*> mounts[] = {
      {"shared", &policy.shared}, {"tmp", &policy.tmp}, {"vault", &policy.vault}};
  for (const auto& [name, path] : mounts) {
    for (const auto& [other, other_path] : mounts) {
      if (name == other || !path_within(*path, *other_path)) continue;
      p.add("mounts." + std::string(name),
            "must not be inside (or equal to) the " + std::string(other) + " mount");
      return;
    }
  }
}

}  // namespace

Result<UserPolicy> resolve_user_policy(const RunnerConfig& runner, std::string_view user_id,
                                       const UserConfig& user, bool insecure) {
  if (auto valid = validate_user_id(user_id); !valid) return tl::unexpected(valid.error());
  auto tier = resolve_tier(runner.default_tier, user.behavior.sandbox_tier, insecure);
  if (!tier) return tl::unexpected(with_context(tier.error(), user.source));

  detail::ConfigProblems problems(user.source + ": ");
  const RunnerPolicy& ceiling = runner.policy;
  check_resource(problems, "max_vcpus", user.resources.max_vcpus, ceiling.max_vcpus, runner.source);
  check_resource(problems, "max_memory_mib", user.resources.max_memory_mib, ceiling.max_memory_mib,
                 runner.source);
  check_resource(problems, "max_processes", user.resources.max_processes, ceiling.max_processes,
                 runner.source);
  check_mount(problems, "shared", user.mounts.shared, runner);
  check_mount(problems, "tmp", user.mounts.tmp, runner);
  check_mount(problems, "vault", user.mounts.vault, runner);

  UserPolicy policy;
  policy.user_id = std::string(user_id);
  policy.tier = *tier;
  policy.layout = workspace_layout(runner.workspace_root, user_id);
  policy.shared = user.mounts.shared.value_or(policy.layout.shared);
  policy.tmp = user.mounts.tmp.value_or(policy.layout.tmp);
  policy.vault = user.mounts.vault.value_or(policy.layout.vault);
  check_not_nested(problems, policy);
  if (!problems.ok()) return problems.error();

  policy.resources = user.resources;
  policy.shell = grant(ceiling.shell_enabled, user.behavior.shell_enabled, *tier);
  policy.browser = grant(ceiling.browser_enabled, user.behavior.browser_enabled, *tier);
  policy.shell_network =
      policy.shell.enabled && ceiling.shell_network && user.behavior.shell_network;
  return policy;
}

Result<void> check_agent_credentials(const UserConfig& user, const AgentConfig& agent) {
  auto it = agent.providers.find(agent.provider);
  if (it == agent.providers.end() || it->second.credential.empty()) return {};
  if (user.credential_refs.count(it->second.credential)) return {};
  detail::ConfigProblems problems(agent.source + ": ");
  problems.add(
      detail::join_key(detail::join_key("providers", agent.provider), "credential"),
      "\"" + it->second.credential + "\" is not among the credential_refs of " + user.source);
  return problems.error();
}

}  // namespace oxydra
