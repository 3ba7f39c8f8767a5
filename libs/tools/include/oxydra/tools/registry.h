#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/tools/tool.h"
#include "oxydra/types/error.h"

namespace oxydra::tools {

// The tools one agent offers, in registration order. Fill it at startup, then
// share it read-only: call() is safe from several threads at once.
class Registry {
 public:
  // Fails with `duplicate_tool` when the name is taken.
  Result<void> add(std::shared_ptr<Tool> tool);

  Tool* find(std::string_view name) const;
  const std::vector<std::shared_ptr<Tool>>& tools() const { return tools_; }

  // For the LLM request: [{"name", "description", "parameters"}]. Disabled tools
  // are left out unless asked for (they would only answer with their reason).
  nlohmann::json definitions(bool include_disabled = false) const;

  // For the gateway's hello: [{"name", "tier", "enabled", "reason"?, "detail"?}].
  nlohmann::json status() const;

  // Always an answer for the model: an unknown tool, arguments that are not a
  // JSON object, and tool errors become is_error outputs.
  ToolOutput call(std::string_view name, const nlohmann::json& args, const ToolContext& ctx) const;
  // `arguments` is the JSON text the model produced; "" counts as {}.
  ToolOutput call_text(std::string_view name, std::string_view arguments,
                       const ToolContext& ctx) const;

 private:
  std::vector<std::shared_ptr<Tool>> tools_;
};

}  // namespace oxydra::tools
