#include "daemon/envelope_builder.h"

#include "oxydra/types/agent_config_json.h"

namespace oxydra::runner {

namespace {

void add_unique(std::vector<DegradedReason>& reasons, const DegradedReason& reason) {
  for (const auto& existing : reasons) {
    if (existing == reason) return;
  }
  reasons.push_back(reason);
}

}  // namespace

StartupStatusReport startup_status(const UserPolicy& policy, const PairState& pair) {
  StartupStatusReport status;
  status.sandbox_tier = policy.tier;
  status.sidecar_available = pair.sidecar_available;
  status.shell_available = pair.sidecar_available && policy.shell.enabled;
  status.browser_available = pair.sidecar_available && policy.browser.enabled;
  for (const auto& reason : pair.tier_degraded)
    add_unique(status.degraded_reasons, reason);
  for (const auto& reason : pair.sidecar_degraded)
    add_unique(status.degraded_reasons, reason);
  for (const auto& reason : pair.runtime_degraded)
    add_unique(status.degraded_reasons, reason);
  status.enforcement = pair.enforcement;
  return status;
}

std::string egress_socket(const WorkspaceLayout& layout) {
  return (layout.ipc / "egress" / "egress.sock").string();
}

std::string gateway_socket(const WorkspaceLayout& layout) {
  return (layout.ipc / "gateway" / "gateway.sock").string();
}

BootstrapEnvelope build_envelope(const UserContext& context, const ResolvedCredentials& credentials,
                                 const StartupStatusReport& status,
                                 const std::optional<ChannelEndpoint>& sidecar) {
  const UserPolicy& policy = context.policy;
  BootstrapEnvelope envelope;
  envelope.user_id = policy.user_id;
  envelope.sandbox_tier = policy.tier;
  envelope.workspace_root = policy.layout.root.string();
  envelope.sidecar_endpoint = sidecar;
  envelope.runtime_policy.mounts.shared = policy.shared.string();
  envelope.runtime_policy.mounts.tmp = policy.tmp.string();
  envelope.runtime_policy.mounts.vault = policy.vault.string();
  envelope.runtime_policy.resources.max_vcpus = policy.resources.max_vcpus;
  envelope.runtime_policy.resources.max_memory_mib = policy.resources.max_memory_mib;
  envelope.runtime_policy.resources.max_processes = policy.resources.max_processes;
  envelope.runtime_policy.credential_refs = credentials.refs;
  envelope.credentials = credentials.values;
  envelope.agent_config = to_json(context.agent);
  envelope.gateway = ChannelEndpoint{ChannelTransport::unix_socket, gateway_socket(policy.layout)};
  if (policy.tier != SandboxTier::process) {
    envelope.egress_proxy =
        ChannelEndpoint{ChannelTransport::unix_socket, egress_socket(policy.layout)};
  }
  envelope.startup_status = status;
  return envelope;
}

}  // namespace oxydra::runner
