#pragma once

#include <string>
#include <vector>

#include "cli/user_snapshot.h"

namespace oxydra::runner {

// Every configured user's snapshot in the Prometheus text exposition format
// (version 0.0.4), for node_exporter's textfile collector or a scrape:
// per host (users configured and running, build info), per user (up,
// healthy, uptime, degraded reasons), per guest (up, restarts, memory, CPU)
// and per agent (turns by stop reason, tokens, cost, provider errors by
// kind, shell commands, failures and timeouts). docs/operations.md lists them.
std::string format_metrics(const std::vector<UserSnapshot>& users);

}  // namespace oxydra::runner
