#include <cstdio>

#include "cli/commands.h"
#include "cli/status_format.h"
#include "cli/user_list.h"
#include "cli/user_snapshot.h"

namespace oxydra::runner {

int cmd_list(const CliOptions& options, const std::vector<Selection>& users) {
  if (options.list.configured) {
    for (const auto& user : users)
      std::printf("%s\n", user.user_id.c_str());
    return kExitOk;
  }
  const auto snapshots = snapshot_users(users, false);
  if (options.list.json) {
    std::printf("%s\n", user_list_json(snapshots).dump(2).c_str());
  } else {
    std::fputs(format_user_list(snapshots).c_str(), stdout);
  }
  return kExitOk;
}

int cmd_status_all(const CliOptions& options, const std::vector<Selection>& users) {
  const auto snapshots = snapshot_users(users, false);
  bool all_running = true;
  if (options.status.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& user : snapshots) {
      out.push_back(
          {{"user", user.user_id},
           {"state", user.state},
           {"health", user.health},
           {"error", user.error.empty() ? nlohmann::json() : nlohmann::json(user.error)}});
      all_running = all_running && user.health.is_object();
    }
    std::printf("%s\n", out.dump(2).c_str());
    return all_running ? kExitOk : kExitNotRunning;
  }
  bool first = true;
  for (const auto& user : snapshots) {
    if (!first) std::fputs("\n", stdout);
    first = false;
    if (user.health.is_object()) {
      std::fputs(format_status(user.health).c_str(), stdout);
      continue;
    }
    all_running = false;
    std::printf("user %s: %s\n", user.user_id.c_str(), user.state.c_str());
    if (!user.error.empty()) std::printf("  %s\n", user.error.c_str());
  }
  return all_running ? kExitOk : kExitNotRunning;
}

}  // namespace oxydra::runner
