#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "oxydra/memory/audit.h"
#include "oxydra/memory/store.h"
#include "oxydra/provider/provider.h"
#include "oxydra/tools/registry.h"
#include "oxydra/types/agent_config.h"
#include "oxydra/types/envelope.h"
#include "oxydra/types/error.h"
#include "oxydra/types/startup_status.h"

namespace oxydra::gateway {

// Everything the gateway server needs to run the agent, built once at start.
struct AgentSetup {
  bool direct_mode = false;  // no runner: development only
  std::string user_id;
  AgentConfig config;
  std::filesystem::path workspace;     // the user's workspace as this process sees it
  std::string gateway_socket;          // where the gateway listens
  std::string egress_proxy;            // the runner's SOCKS5 socket for the provider; "" = direct
  StartupStatusReport startup_status;  // the runner's, plus what oxydra-vm found itself
  std::shared_ptr<provider::Provider> provider;
  std::shared_ptr<tools::Registry> tools;
  std::shared_ptr<memory::Store> store;     // null when memory is disabled
  std::shared_ptr<memory::AuditLog> audit;  // <workspace>/internal/audit.jsonl
};

// From a validated envelope. Every credential value is registered with the log
// redactor first; the selected provider's key is envelope.credentials[its
// `credential` name] and goes nowhere but the provider client. The shell tool
// uses the sidecar when startup_status.shell_available, and is otherwise
// disabled with the envelope's degraded reason; a sidecar that cannot be
// reached adds its own reason to the startup status. Error codes:
// `invalid_envelope` (the agent config or a missing credential), else the
// failing component's (storage, io, ...).
Result<AgentSetup> setup_from_envelope(const BootstrapEnvelope& envelope);

// Direct development mode: no runner and no envelope.
inline constexpr const char* kDefaultDirectWorkspace = "oxydra-workspace";

struct DirectOptions {
  std::filesystem::path config_path;  // agent.toml
  std::filesystem::path workspace;    // empty: ./oxydra-workspace
};

// Reads agent.toml; the API key comes from the environment variable named by
// the selected provider's `api_key_env` (only in this mode), which is then
// removed from the environment. Process tier: the shell tool is disabled with
// reason insecure_process_tier. The gateway socket is <workspace>/ipc/gateway.sock.
Result<AgentSetup> setup_direct(const DirectOptions& options);

}  // namespace oxydra::gateway
