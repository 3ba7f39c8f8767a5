#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/credentials.h"
#include "daemon/user_context.h"
#include "oxydra/types/envelope.h"
#include "oxydra/types/startup_status.h"

namespace oxydra::runner {

// What the pair has, as the envelope and health report it: tools are
// available only where the tier has a shell-vm that answered and the user's
// policy grants them; every missing protection or tool is a degraded reason.
struct PairState {
  bool sidecar_available = false;
  std::vector<DegradedReason> tier_degraded;  // Backend::tier_degraded()
  GuestEnforcement enforcement;
  std::vector<DegradedReason> runtime_degraded;  // from the guests' measurements
  std::vector<DegradedReason> sidecar_degraded;
};

StartupStatusReport startup_status(const UserPolicy& policy, const PairState& pair);

// Where oxydra-vm serves the gateway: <ipc>/gateway.sock.
std::string gateway_socket(const WorkspaceLayout& layout);
// ipc/egress/egress.sock: the runner's egress proxy for the guests.
std::string egress_socket(const WorkspaceLayout& layout);

// The envelope for the process tier's view of paths (the guest sees the host's).
BootstrapEnvelope build_envelope(const UserContext& context, const ResolvedCredentials& credentials,
                                 const StartupStatusReport& status,
                                 const std::optional<ChannelEndpoint>& sidecar);

}  // namespace oxydra::runner
