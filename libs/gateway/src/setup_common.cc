#include "setup_common.h"

#include "oxydra/runtime/provider_settings.h"
#include "workspace.h"

namespace oxydra::gateway {

Result<void> finish_setup(AgentSetup& setup, std::string api_key, ShellChoice shell) {
  if (auto prepared = prepare_workspace(setup.workspace); !prepared) {
    return tl::unexpected(with_context(prepared.error(), "prepare workspace"));
  }
  if (setup.config.memory.enabled) {
    const auto db_path = setup.workspace / setup.config.memory.db_path;
    if (auto dir = ensure_dir(db_path.parent_path()); !dir) return dir;
    auto store = memory::Store::open(db_path.string());
    if (!store) return tl::unexpected(store.error());
    setup.store = std::make_shared<memory::Store>(std::move(*store));
  }
  auto audit = memory::AuditLog::open((setup.workspace / "internal" / "audit.jsonl").string());
  if (!audit) return tl::unexpected(audit.error());
  setup.audit = std::make_shared<memory::AuditLog>(std::move(*audit));

  auto settings = runtime::provider_settings(setup.config.selected_provider(), std::move(api_key));
  settings.proxy_socket = setup.egress_proxy;
  auto provider = provider::make_provider(std::move(settings));
  if (!provider) {
    return tl::unexpected(with_context(provider.error(), "provider " + setup.config.provider));
  }
  setup.provider = std::move(*provider);

  auto tools = build_tools(setup.config, setup.workspace, std::move(shell));
  if (!tools) return tl::unexpected(tools.error());
  setup.tools = std::move(*tools);
  return {};
}

}  // namespace oxydra::gateway
