#include "tool_setup.h"

#include <spdlog/spdlog.h>

#include "oxydra/tools/file_roots.h"
#include "oxydra/tools/file_tools.h"
#include "oxydra/tools/shell_tool.h"

namespace oxydra::gateway {

namespace {

std::shared_ptr<tools::Tool> shell_tool(const AgentConfig& config, ShellChoice shell) {
  if (!config.tools.shell.enabled) {
    return tools::make_disabled_shell_exec_tool("disabled_by_agent_config",
                                                "tools.shell.enabled is false in the agent config");
  }
  if (!shell.session) {
    return tools::make_disabled_shell_exec_tool(std::move(shell.reason), std::move(shell.detail));
  }
  tools::ShellToolOptions options;
  options.default_timeout = std::chrono::seconds(config.tools.shell.timeout_secs);
  options.max_timeout = std::max(options.max_timeout, options.default_timeout);
  options.max_output_bytes = static_cast<std::uint64_t>(config.tools.shell.max_output_bytes);
  return tools::make_shell_exec_tool(std::move(shell.session), std::move(options));
}

}  // namespace

Result<std::shared_ptr<tools::Registry>> build_tools(const AgentConfig& config,
                                                     const std::filesystem::path& workspace,
                                                     ShellChoice shell) {
  auto registry = std::make_shared<tools::Registry>();
  if (auto added = registry->add(shell_tool(config, std::move(shell))); !added) {
    return tl::unexpected(added.error());
  }
  if (!config.tools.files.enabled) return registry;

  std::error_code ec;
  const auto vault = workspace / "vault";
  const bool has_vault = std::filesystem::is_directory(vault, ec);
  auto roots = tools::FileRoots::open(
      tools::workspace_roots(workspace / "shared", workspace / "tmp", has_vault ? vault : ""));
  if (!roots) return tl::unexpected(with_context(roots.error(), "file tools"));
  for (auto& tool : tools::make_file_tools(*roots)) {
    if (auto added = registry->add(std::move(tool)); !added) return tl::unexpected(added.error());
  }
  return registry;
}

}  // namespace oxydra::gateway
