#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "oxydra/runner/cli.h"
#include "oxydra/types/agent_config.h"
#include "oxydra/types/error.h"
#include "oxydra/types/runner_config.h"
#include "oxydra/types/user_config.h"
#include "oxydra/types/user_policy.h"
#include "oxydra/types/workspace_layout.h"

namespace oxydra::runner {

// The runner config and the user a command is about. Every command needs this
// much; only start reads the user's and the agent's configs as well.
struct Selection {
  std::filesystem::path config_path;  // as found
  bool config_explicit = false;       // given with --config
  RunnerConfig runner;
  std::string user_id;
  WorkspaceLayout layout;
};

// The files a start needs, loaded and resolved.
struct UserContext {
  Selection selection;
  UserConfig user;
  AgentConfig agent;
  UserPolicy policy;
};

// --config if given; else .oxydra/runner.toml (relative to the working
// directory), then ~/.oxydra/runner.toml, then /etc/oxydra/runner.toml (the
// installed one: <sysconfdir>/oxydra). Error code "no_runner_config".
Result<std::filesystem::path> find_runner_config(const std::string& explicit_path,
                                                 const std::vector<std::filesystem::path>& search);
std::vector<std::filesystem::path> default_config_search();

// Loads the runner config and picks the user: --user, or the only one
// configured. Error codes "invalid_config" (file: key: reason), "user_required",
// "unknown_user".
Result<Selection> select_user(const GlobalOptions& options);

// Loads the runner config: one Selection per configured user, in name order.
Result<std::vector<Selection>> select_all_users(const GlobalOptions& options);

// Loads the user's config and agent config and resolves what the user gets.
Result<UserContext> load_user_context(Selection selection, bool insecure);

// "oxydra-runner [--config PATH] --user NAME", for hints.
std::string command_prefix(const Selection& selection);

}  // namespace oxydra::runner
