#include <cstdio>
#include <set>
#include <thread>

#include "cli/cli_errors.h"
#include "cli/commands.h"
#include "cli/control_client.h"
#include "daemon/timestamps.h"
#include "oxydra/types/control_messages.h"

namespace oxydra::runner {

namespace {

using control_rpc::LogEntry;
constexpr auto kFollowInterval = std::chrono::milliseconds(500);

std::string key(const LogEntry& e) {
  return e.ts + e.role + e.stream + e.line;
}

}  // namespace

int cmd_logs(const CliOptions& options, const Selection& selection) {
  const LogsOptions& o = options.logs;
  nlohmann::json request{{"role", o.role}, {"stream", o.stream}, {"tail", o.tail}};
  if (!o.since.empty()) {
    // Relative durations are resolved here, against this machine's clock.
    auto since = normalize_since(o.since, std::chrono::system_clock::now());
    if (!since) return report_error(since.error(), selection);
    request["since"] = *since;
  }
  auto client = ControlClient::connect(selection);
  if (!client) {
    const int status = report_error(client.error(), selection);
    if (client.error().code == ErrorCode::not_running) {
      std::fprintf(stderr, "hint: the log files are in %s\n", selection.layout.logs.c_str());
    }
    return status;
  }
  // `since` is inclusive, so a follow poll sees the last entries again: skip
  // those already printed at the newest timestamp.
  std::string newest;
  std::set<std::string> printed_at_newest;
  for (;;) {
    auto reply = client->call(control_rpc::kOpLogs, request);
    if (!reply) {
      if (o.follow && !newest.empty() && reply.error().code != ErrorCode::timeout) {
        std::fprintf(stderr, "(the runner stopped)\n");
        return kExitOk;
      }
      return report_error(reply.error(), selection);
    }
    auto logs = control_rpc::parse_logs_reply(reply->payload);
    if (!logs) return report_error(logs.error(), selection);
    if (reply->payload.value("truncated", false) && !o.follow) {
      std::fprintf(stderr, "(older entries left out to fit one reply; use --tail or --since)\n");
    }
    for (const auto& e : logs->entries) {
      if (e.ts < newest || (e.ts == newest && printed_at_newest.count(key(e)))) continue;
      if (e.ts > newest) {
        newest = e.ts;
        printed_at_newest.clear();
      }
      printed_at_newest.insert(key(e));
      std::printf("%s %s/%s: %s\n", e.ts.c_str(), e.role.c_str(), e.stream.c_str(), e.line.c_str());
    }
    std::fflush(stdout);
    if (!o.follow) return kExitOk;
    if (!newest.empty()) request["since"] = newest;
    request["tail"] = 0;
    std::this_thread::sleep_for(kFollowInterval);
  }
}

}  // namespace oxydra::runner
