#include <string.h>

#include <cstdlib>

#include "oxydra/logging/redact.h"
#include "setup_common.h"

namespace oxydra::gateway {

namespace {

constexpr std::string_view kDirectDetail =
    "direct development mode: oxydra-vm runs as a plain host process without a runner, so "
    "there is no isolated shell";

StartupStatusReport direct_status() {
  StartupStatusReport status;
  status.sandbox_tier = SandboxTier::process;
  status.degraded_reasons.push_back(
      DegradedReason{std::string(degraded::kInsecureProcessTier), std::string(kDirectDetail)});
  return status;
}

// Only this mode reads a key from the environment. The variable is then
// removed, so nothing this process starts inherits it, and its value is
// wiped in place, so /proc/<pid>/environ no longer shows it either.
Result<std::string> api_key_from_env(const AgentConfig& config) {
  const ProviderConfig& provider = config.selected_provider();
  if (provider.api_key_env.empty()) return std::string();
  char* value = std::getenv(provider.api_key_env.c_str());
  if (value == nullptr || *value == '\0') {
    return fail(ErrorCode::invalid_config, config.source + ": providers." + config.provider +
                                               ".api_key_env: environment variable " +
                                               provider.api_key_env + " is not set");
  }
  std::string key = value;
  logging::register_secret(key);
  ::explicit_bzero(value, key.size());
  ::unsetenv(provider.api_key_env.c_str());
  return key;
}

}  // namespace

Result<AgentSetup> setup_direct(const DirectOptions& options) {
  AgentSetup setup;
  setup.direct_mode = true;
  auto config = load_agent_config(options.config_path);
  if (!config) return tl::unexpected(config.error());
  setup.config = std::move(*config);
  auto api_key = api_key_from_env(setup.config);
  if (!api_key) return tl::unexpected(api_key.error());

  std::error_code ec;
  const std::filesystem::path workspace = options.workspace.empty()
                                              ? std::filesystem::path(kDefaultDirectWorkspace)
                                              : options.workspace;
  setup.workspace = std::filesystem::absolute(workspace, ec).lexically_normal();
  if (ec) return fail(ErrorCode::io, "workspace " + workspace.string() + ": " + ec.message());
  setup.user_id = "direct";
  setup.gateway_socket = (setup.workspace / "ipc" / "gateway.sock").string();
  setup.startup_status = direct_status();

  ShellChoice shell{nullptr, std::string(degraded::kInsecureProcessTier),
                    std::string(kDirectDetail)};
  if (auto done = finish_setup(setup, std::move(*api_key), std::move(shell)); !done) {
    return tl::unexpected(done.error());
  }
  return setup;
}

}  // namespace oxydra::gateway
