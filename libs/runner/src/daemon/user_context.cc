#include "daemon/user_context.h"

#include <cstdlib>
#include <system_error>

namespace oxydra::runner {

namespace fs = std::filesystem;

std::vector<fs::path> default_config_search() {
  std::vector<fs::path> search{fs::path(".oxydra") / "runner.toml"};
  if (const char* home = std::getenv("HOME"); home && *home) {
    search.push_back(fs::path(home) / ".oxydra" / "runner.toml");
  }
  search.push_back(fs::path(OXYDRA_SYSCONFDIR) / "oxydra" / "runner.toml");
  return search;
}

Result<fs::path> find_runner_config(const std::string& explicit_path,
                                    const std::vector<fs::path>& search) {
  if (!explicit_path.empty()) return fs::path(explicit_path);
  std::string tried;
  for (const auto& candidate : search) {
    std::error_code ec;
    if (fs::exists(candidate, ec)) return candidate;
    tried += (tried.empty() ? "" : ", ") + candidate.string();
  }
  return fail(ErrorCode::no_runner_config, "no runner config found (looked for " + tried + ")");
}

namespace {

// The runner config, found and loaded, as a Selection of no user yet.
Result<Selection> load_selection(const GlobalOptions& options) {
  auto path = find_runner_config(options.config_path, default_config_search());
  if (!path) return tl::unexpected(path.error());
  auto runner = load_runner_config(*path);
  if (!runner) return tl::unexpected(runner.error());
  Selection selection;
  selection.config_path = *path;
  selection.config_explicit = !options.config_path.empty();
  selection.runner = std::move(*runner);
  return selection;
}

Selection for_user(Selection selection, const std::string& user_id) {
  selection.user_id = user_id;
  selection.layout = workspace_layout(selection.runner.workspace_root, user_id);
  return selection;
}

}  // namespace

Result<std::vector<Selection>> select_all_users(const GlobalOptions& options) {
  auto loaded = load_selection(options);
  if (!loaded) return tl::unexpected(loaded.error());
  std::vector<Selection> out;
  for (const auto& [id, entry] : loaded->runner.users)
    out.push_back(for_user(*loaded, id));
  return out;
}

Result<Selection> select_user(const GlobalOptions& options) {
  auto loaded = load_selection(options);
  if (!loaded) return tl::unexpected(loaded.error());
  const auto& users = loaded->runner.users;
  const std::string path = loaded->config_path.string();
  if (users.empty()) return fail(ErrorCode::no_users, "no user is configured in " + path);
  std::string configured;
  for (const auto& [id, entry] : users)
    configured += (configured.empty() ? "" : ", ") + id;
  if (options.user.empty()) {
    if (users.size() != 1) {
      return fail(ErrorCode::user_required, std::to_string(users.size()) +
                                                " users are configured in " + path + " (" +
                                                configured + "): choose one with --user");
    }
    const std::string only = users.begin()->first;  // not a reference into what moves
    return for_user(std::move(*loaded), only);
  }
  if (!users.count(options.user)) {
    return fail(ErrorCode::unknown_user, "user " + options.user + " is not configured in " + path +
                                             " (configured: " + configured + ")");
  }
  return for_user(std::move(*loaded), options.user);
}

Result<UserContext> load_user_context(Selection selection, bool insecure) {
  const auto& entry = selection.runner.users.at(selection.user_id);
  auto user = load_user_config(entry.config_path);
  if (!user) return tl::unexpected(user.error());
  auto agent = load_agent_config(user->agent_config);
  if (!agent) return tl::unexpected(agent.error());
  if (auto credentials = check_agent_credentials(*user, *agent); !credentials) {
    return tl::unexpected(credentials.error());
  }
  if (auto hosts = check_credential_hosts(selection.runner, *user, *agent); !hosts) {
    return tl::unexpected(hosts.error());
  }
  auto policy = resolve_user_policy(selection.runner, selection.user_id, *user, insecure);
  if (!policy) return tl::unexpected(policy.error());
  return UserContext{std::move(selection), std::move(*user), std::move(*agent), std::move(*policy)};
}

std::string command_prefix(const Selection& selection) {
  std::string prefix = "oxydra-runner";
  if (selection.config_explicit) prefix += " --config " + selection.config_path.string();
  return prefix + " --user " + selection.user_id;
}

}  // namespace oxydra::runner
