#include <spdlog/spdlog.h>

#include "oxydra/logging/redact.h"
#include "oxydra/sandbox/shell_backend.h"
#include "oxydra/types/agent_config_json.h"
#include "setup_common.h"

namespace oxydra::gateway {

namespace {

// The envelope's reason the shell is off, for the disabled tool.
ShellChoice no_shell(const StartupStatusReport& status) {
  for (const auto& reason : status.degraded_reasons) {
    if (reason.code != degraded::kProcessHardeningLimited)
      return {nullptr, reason.code, reason.detail};
  }
  return {nullptr, std::string(degraded::kSidecarUnavailable),
          "the runner reported no shell for this agent"};
}

// Connects to the shell daemon; when that fails, the shell is disabled and the
// startup status says why (the runner saw the daemon up, so this is news).
ShellChoice connect_shell(const BootstrapEnvelope& envelope, StartupStatusReport& status) {
  if (!status.shell_available || !envelope.sidecar_endpoint) return no_shell(status);
  sandbox::DaemonClientOptions options;
  options.client_name = "oxydra-vm";
  auto backend = sandbox::open_shell_backend(envelope.sidecar_endpoint, options);
  const sandbox::Availability availability = backend->status();
  if (!availability.available) {
    spdlog::warn("shell disabled: {}: {}", availability.code, availability.detail);
    status.shell_available = false;
    status.degraded_reasons.push_back(availability.reason());
    return {nullptr, availability.code, availability.detail};
  }
  return {std::shared_ptr<sandbox::ShellSession>(backend->new_session()), {}, {}};
}

}  // namespace

Result<AgentSetup> setup_from_envelope(const BootstrapEnvelope& envelope) {
  for (const auto& [name, value] : envelope.credentials)
    logging::register_secret(value);

  AgentSetup setup;
  auto config = agent_config_from_json(envelope.agent_config);
  if (!config) return fail(ErrorCode::invalid_envelope, config.error().message);
  setup.config = std::move(*config);
  setup.user_id = envelope.user_id;
  setup.workspace = envelope.workspace_root;
  setup.startup_status = envelope.startup_status;

  if (envelope.gateway.transport != ChannelTransport::unix_socket) {
    return fail(ErrorCode::invalid_envelope,
                "gateway.transport: " + std::string(to_string(envelope.gateway.transport)) +
                    " is not supported by oxydra-vm (unix only)");
  }
  setup.gateway_socket = envelope.gateway.address;
  if (envelope.egress_proxy) setup.egress_proxy = envelope.egress_proxy->address;

  std::string api_key;
  const ProviderConfig& provider = setup.config.selected_provider();
  if (!provider.credential.empty()) {
    auto it = envelope.credentials.find(provider.credential);
    if (it == envelope.credentials.end()) {
      return fail(ErrorCode::invalid_envelope, "credentials." + provider.credential +
                                                   ": is required by providers." +
                                                   setup.config.provider + ".credential");
    }
    api_key = it->second;
  }

  ShellChoice shell = connect_shell(envelope, setup.startup_status);
  if (auto done = finish_setup(setup, std::move(api_key), std::move(shell)); !done) {
    return tl::unexpected(done.error());
  }
  return setup;
}

}  // namespace oxydra::gateway
