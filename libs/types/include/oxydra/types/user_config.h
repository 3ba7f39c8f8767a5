#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "oxydra/types/credential_ref.h"
#include "oxydra/types/error.h"
#include "oxydra/types/sandbox_tier.h"

namespace oxydra {

// One user's configuration (users/<id>.toml). Relative paths are resolved
// against this file's directory at load time. What a user asks for here is
// capped by the runner's [policy] (see user_policy.h): it can only restrict.

// [mounts]: host directories for the guests; absent = <workspace_root>/<user>/<name>.
struct UserMounts {
  std::optional<std::filesystem::path> shared;  // shell-vm /shared, the working directory
  std::optional<std::filesystem::path> tmp;     // shell-vm /tmp
  std::optional<std::filesystem::path> vault;   // oxydra-vm only, never the shell

  bool operator==(const UserMounts&) const = default;
};

// [resources]: per guest; must not exceed the runner's policy ceilings.
struct UserResources {
  std::int64_t max_vcpus = 1;          // CPUs (cgroup cpu quota, or VM vCPUs)
  std::int64_t max_memory_mib = 1024;  // memory limit in MiB
  std::int64_t max_processes = 256;    // pids / RLIMIT_NPROC
  std::int64_t max_disk_mib = 1024;    // shared/ and tmp/ each, enforced by the kernel

  bool operator==(const UserResources&) const = default;
};

// [behavior]: what this user asks for, within the runner's policy.
struct UserBehavior {
  std::optional<SandboxTier> sandbox_tier;  // absent: the runner's default_tier
  bool shell_enabled = true;                // false turns the shell tool off
  bool browser_enabled = true;              // false turns the browser tool off
  bool shell_network = true;                // false keeps shell-vm offline even if allowed

  bool operator==(const UserBehavior&) const = default;
};

struct UserConfig {
  std::string source;                  // the file it came from, for messages (not a key)
  std::filesystem::path agent_config;  // required: the agent's TOML config
  UserMounts mounts;
  UserResources resources;
  std::map<std::string, CredentialRef> credential_refs;  // [credential_refs] name = "env:X"
  UserBehavior behavior;

  bool operator==(const UserConfig&) const = default;
};

// Reads and validates a user config; errors read "<path>: <key>: <reason>".
Result<UserConfig> load_user_config(const std::filesystem::path& path);

// The same from text: `source_name` prefixes messages, `base_dir` anchors relative paths.
Result<UserConfig> parse_user_config(std::string_view text, std::string_view source_name,
                                     const std::filesystem::path& base_dir);

}  // namespace oxydra
