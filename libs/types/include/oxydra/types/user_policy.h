#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/types/agent_config.h"
#include "oxydra/types/error.h"
#include "oxydra/types/runner_config.h"
#include "oxydra/types/sandbox_tier.h"
#include "oxydra/types/user_config.h"
#include "oxydra/types/workspace_layout.h"

namespace oxydra {

// Pure resolution of what one user actually gets, from the runner's config,
// the user's config and the --insecure flag. A user config can only restrict:
// it may choose a stronger tier than default_tier (never a weaker one), turn
// tools or shell networking off (never on when the runner's policy has them
// off), and ask for resources up to the policy's ceilings.

// --insecure forces process; else the user's tier, else the default. Tiers are
// ordered micro_vm > container > process; a user tier weaker than the default
// is an error ("behavior.sandbox_tier: ...").
Result<SandboxTier> resolve_tier(SandboxTier default_tier, std::optional<SandboxTier> user_tier,
                                 bool insecure);

// A tool's availability; `reason` is a stable code when it is disabled:
// "insecure_process_tier", "disabled_by_runner_policy" or "disabled_by_user_config".
struct ToolGrant {
  bool enabled = false;
  std::string reason;

  bool operator==(const ToolGrant&) const = default;
};

struct UserPolicy {
  std::string user_id;
  SandboxTier tier = SandboxTier::container;
  WorkspaceLayout layout;        // the runner-owned directories
  std::filesystem::path shared;  // effective mounts: layout's, or the user's overrides
  std::filesystem::path tmp;
  std::filesystem::path vault;
  // Where the runner allows this user's overrides (runner.toml): an override
  // is opened beneath one of these without following symlinks.
  std::vector<std::filesystem::path> mount_roots;
  UserResources resources;  // within the policy's ceilings
  ToolGrant shell;
  ToolGrant browser;
  bool shell_network = false;  // shell-vm gets egress (never on the process tier)
};

// Errors name the file and key: "users/alice.toml: resources.max_vcpus: 8 exceeds ...".
// Mount overrides must be absolute, strictly inside one of the mount_roots the
// runner allows this user (none listed: no overrides), outside workspace_root
// (and not containing it), and must not nest in one another (a shared inside
// vault would expose it). Credential refs must name an allowed environment
// variable or a file under user_secrets_dir(). docs/security.md.
Result<UserPolicy> resolve_user_policy(const RunnerConfig& runner, std::string_view user_id,
                                       const UserConfig& user, bool insecure);

// <policy.secrets_dir>/<user_id>: the only place a file: credential ref may
// name; empty when the runner allows no file refs.
std::filesystem::path user_secrets_dir(const RunnerConfig& runner, std::string_view user_id);

// The selected provider's `credential` must be one of the user's credential_refs.
Result<void> check_agent_credentials(const UserConfig& user, const AgentConfig& agent);

// When runner.toml binds the selected provider's credential ref to hosts
// (policy.credential_hosts), the provider's base_url host must be one of them.
Result<void> check_credential_hosts(const RunnerConfig& runner, const UserConfig& user,
                                    const AgentConfig& agent);

}  // namespace oxydra
