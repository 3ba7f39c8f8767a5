#include "oxydra/tools/registry.h"

namespace oxydra::tools {

Result<void> Registry::add(std::shared_ptr<Tool> tool) {
  if (find(tool->name()))
    return fail(ErrorCode::duplicate_tool, "tool " + tool->name() + " is registered twice");
  tools_.push_back(std::move(tool));
  return {};
}

Tool* Registry::find(std::string_view name) const {
  for (const auto& t : tools_) {
    if (t->name() == name) return t.get();
  }
  return nullptr;
}

nlohmann::json Registry::definitions(bool include_disabled) const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : tools_) {
    if (!include_disabled && !t->availability().enabled) continue;
    out.push_back(
        {{"name", t->name()}, {"description", t->description()}, {"parameters", t->parameters()}});
  }
  return out;
}

nlohmann::json Registry::status() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : tools_) {
    const Availability a = t->availability();
    nlohmann::json entry = {
        {"name", t->name()}, {"tier", to_string(t->tier())}, {"enabled", a.enabled}};
    if (!a.reason.empty()) entry["reason"] = a.reason;
    if (!a.detail.empty()) entry["detail"] = a.detail;
    out.push_back(std::move(entry));
  }
  return out;
}

ToolOutput Registry::call(std::string_view name, const nlohmann::json& args,
                          const ToolContext& ctx) const {
  Tool* tool = find(name);
  if (!tool) {
    std::string known;
    for (const auto& t : tools_)
      known += (known.empty() ? "" : ", ") + t->name();
    auto out = ToolOutput::failure(tool_error::kUnknownTool, "unknown tool \"" + std::string(name) +
                                                                 "\"; available tools: " + known);
    out.metadata.output_bytes = out.text.size();
    return out;
  }
  auto result = tool->invoke(args, ctx);
  if (result) return std::move(*result);
  auto out =
      ToolOutput::failure(tool_error::kFailed, tool->name() + " failed: " + result.error().message);
  out.metadata.output_bytes = out.text.size();
  return out;
}

ToolOutput Registry::call_text(std::string_view name, std::string_view arguments,
                               const ToolContext& ctx) const {
  if (arguments.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return call(name, nlohmann::json::object(), ctx);
  }
  auto args = nlohmann::json::parse(arguments, nullptr, /*allow_exceptions=*/false);
  if (args.is_discarded()) {
    auto out = ToolOutput::failure(
        tool_error::kInvalidArguments,
        std::string(name) + ": arguments are not valid JSON; send one JSON object");
    out.metadata.output_bytes = out.text.size();
    return out;
  }
  return call(name, args, ctx);
}

}  // namespace oxydra::tools
