#include <cstdio>

#include "cli/cli_errors.h"
#include "cli/commands.h"
#include "cli/control_client.h"
#include "cli/status_format.h"

namespace oxydra::runner {

int cmd_status(const CliOptions& options, const Selection& selection) {
  auto client = ControlClient::connect(selection);
  if (!client) return report_error(client.error(), selection);
  auto reply = client->call("health_check", nlohmann::json::object());
  if (!reply) return report_error(reply.error(), selection);
  if (options.status.json) {
    std::printf("%s\n", reply->payload.dump(2).c_str());
  } else {
    std::fputs(format_status(reply->payload).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace oxydra::runner
