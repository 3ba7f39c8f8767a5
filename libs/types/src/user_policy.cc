#include "oxydra/types/user_policy.h"

#include <algorithm>

#include "config_problems.h"
#include "oxydra/types/error_code.h"
#include "oxydra/types/http_url.h"
#include "oxydra/types/user_id.h"

namespace oxydra {

std::filesystem::path user_secrets_dir(const RunnerConfig& runner, std::string_view user_id) {
  if (runner.policy.secrets_dir.empty()) return {};
  return runner.policy.secrets_dir / std::filesystem::path(user_id);
}

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

std::vector<std::filesystem::path> allowed_mount_roots(const RunnerConfig& runner,
                                                       std::string_view user_id) {
  std::vector<std::filesystem::path> roots = runner.policy.mount_roots;
  if (auto entry = runner.users.find(std::string(user_id)); entry != runner.users.end())
    roots.insert(roots.end(), entry->second.mount_roots.begin(), entry->second.mount_roots.end());
  return roots;
}

void check_mount(detail::ConfigProblems& p, std::string_view key,
                 const std::optional<std::filesystem::path>& mount, const RunnerConfig& runner,
                 std::string_view user_id) {
  if (!mount) return;
  const std::string name = "mounts." + std::string(key);
  if (!p.check(mount->is_absolute(), name, "must resolve to an absolute path")) return;
  if (!p.check(!path_within(*mount, runner.workspace_root), name,
               "must be outside workspace_root (the default already lives there)")) {
    return;
  }
  if (!p.check(!path_within(runner.workspace_root, *mount), name,
               "must not contain workspace_root (it would expose other users)")) {
    return;
  }
  const auto roots = allowed_mount_roots(runner, user_id);
  if (roots.empty()) {
    p.add(name, "overrides are not allowed: " + runner.source +
                    " lists no mount_roots for this user (policy.mount_roots or users." +
                    std::string(user_id) + ".mount_roots)");
    return;
  }
  const bool inside = std::any_of(roots.begin(), roots.end(), [&](const auto& root) {
    return path_within(*mount, root) && !path_within(root, *mount);
  });
  if (!p.check(inside, name,
               "\"" + mount->string() + "\" is not inside one of the mount_roots that " +
                   runner.source + " allows for this user")) {
    return;
  }
}

// A ref may name only what the operator assigned to this user: an env name on
// the allow lists, or a file under <secrets_dir>/<user>/. The value is read
// later (daemon/credentials.cc) and never appears in a message.
void check_credential_refs(detail::ConfigProblems& p, const UserConfig& user,
                           const RunnerConfig& runner, std::string_view user_id) {
  std::vector<std::string> envs = runner.policy.credential_envs;
  if (auto entry = runner.users.find(std::string(user_id)); entry != runner.users.end())
    envs.insert(envs.end(), entry->second.credential_envs.begin(),
                entry->second.credential_envs.end());
  for (const auto& [name, ref] : user.credential_refs) {
    const std::string key = "credential_refs." + name;
    if (ref.kind == CredentialRef::Kind::env) {
      p.check(std::find(envs.begin(), envs.end(), ref.target) != envs.end(), key,
              "\"" + to_string(ref) + "\": " + runner.source +
                  " does not allow this user the environment variable " + ref.target +
                  " (policy.credential_envs or users." + std::string(user_id) +
                  ".credential_envs)");
      continue;
    }
    const std::filesystem::path dir = user_secrets_dir(runner, user_id);
    if (runner.policy.secrets_dir.empty()) {
      p.add(key, "\"" + to_string(ref) + "\": file refs are not allowed: " + runner.source +
                     " sets no policy.secrets_dir");
      continue;
    }
    const std::filesystem::path target(ref.target);
    p.check(target.is_absolute() && path_within(target, dir) && !path_within(dir, target) &&
                target.lexically_normal() == target,
            key,
            "\"" + to_string(ref) + "\": must name a file under " + dir.string() +
                " (this user's directory in policy.secrets_dir)");
  }
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
  check_resource(problems, "max_disk_mib", user.resources.max_disk_mib, ceiling.max_disk_mib,
                 runner.source);
  check_mount(problems, "shared", user.mounts.shared, runner, user_id);
  check_mount(problems, "tmp", user.mounts.tmp, runner, user_id);
  check_mount(problems, "vault", user.mounts.vault, runner, user_id);
  check_credential_refs(problems, user, runner, user_id);

  UserPolicy policy;
  policy.user_id = std::string(user_id);
  policy.tier = *tier;
  policy.layout = workspace_layout(runner.workspace_root, user_id);
  policy.shared = user.mounts.shared.value_or(policy.layout.shared);
  policy.tmp = user.mounts.tmp.value_or(policy.layout.tmp);
  policy.vault = user.mounts.vault.value_or(policy.layout.vault);
  check_not_nested(problems, policy);
  if (!problems.ok()) return problems.error();

  policy.mount_roots = allowed_mount_roots(runner, user_id);
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

Result<void> check_credential_hosts(const RunnerConfig& runner, const UserConfig& user,
                                    const AgentConfig& agent) {
  auto provider = agent.providers.find(agent.provider);
  if (provider == agent.providers.end() || provider->second.credential.empty()) return {};
  auto ref = user.credential_refs.find(provider->second.credential);
  if (ref == user.credential_refs.end()) return {};
  auto bound = runner.policy.credential_hosts.find(to_string(ref->second));
  if (bound == runner.policy.credential_hosts.end()) return {};
  auto url = parse_http_url(provider->second.base_url);
  std::string host = url ? url->host : "";
  for (auto& c : host)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (std::find(bound->second.begin(), bound->second.end(), host) != bound->second.end()) return {};
  detail::ConfigProblems problems(agent.source + ": ");
  problems.add(
      detail::join_key(detail::join_key("providers", agent.provider), "base_url"),
      "sends credential \"" + provider->second.credential + "\" (" + bound->first + ") to " +
          (host.empty() ? "an unparsable host" : host) + ", but " + runner.source +
          " binds it to: " + [&] {
            std::string list;
            for (const auto& h : bound->second)
              list += (list.empty() ? "" : ", ") + h;
            return list;
          }());
  return problems.error();
}

}  // namespace oxydra
