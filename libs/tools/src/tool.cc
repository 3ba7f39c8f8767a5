#include "oxydra/tools/tool.h"

#include <chrono>
#include <exception>

#include "oxydra/sys/utf8.h"

namespace oxydra::tools {

std::string_view to_string(SafetyTier tier) {
  switch (tier) {
    case SafetyTier::read_only:
      return "read_only";
    case SafetyTier::side_effecting:
      return "side_effecting";
    case SafetyTier::privileged:
      return "privileged";
  }
  return "privileged";
}

nlohmann::json to_json(const ToolMetadata& m) {
  nlohmann::json out = {{"exit_code", nullptr},           {"signal", nullptr},
                        {"timed_out", m.timed_out},       {"duration_ms", m.duration_ms},
                        {"stdout_bytes", m.stdout_bytes}, {"stderr_bytes", m.stderr_bytes},
                        {"output_bytes", m.output_bytes}, {"truncated_bytes", m.truncated_bytes}};
  if (m.exit_code) out["exit_code"] = *m.exit_code;
  if (m.signal) out["signal"] = *m.signal;
  if (!m.error_code.empty()) out["error_code"] = m.error_code;
  return out;
}

ToolOutput ToolOutput::success(std::string text) {
  ToolOutput out;
  out.text = std::move(text);
  return out;
}

ToolOutput ToolOutput::failure(std::string_view code, std::string text) {
  ToolOutput out;
  out.text = std::move(text);
  out.is_error = true;
  out.metadata.error_code = std::string(code);
  return out;
}

Tool::Tool(std::string name, std::string description, ArgSchema args, SafetyTier tier)
    : name_(std::move(name)),
      description_(std::move(description)),
      args_(std::move(args)),
      tier_(tier) {}

Result<ToolOutput> Tool::invoke(const nlohmann::json& args, const ToolContext& ctx) {
  const auto started = std::chrono::steady_clock::now();
  auto result = [&]() -> Result<ToolOutput> {
    const Availability availability = this->availability();
    if (!availability.enabled) {
      std::string text = name_ + " is disabled (" + availability.reason + ")";
      if (!availability.detail.empty()) text += ": " + availability.detail;
      return ToolOutput::failure(tool_error::kDisabled, std::move(text));
    }
    auto valid = args_.validate(args);
    if (!valid) {
      return ToolOutput::failure(tool_error::kInvalidArguments,
                                 name_ + ": " + valid.error().message);
    }
    if (ctx.stop.stop_requested()) {
      return ToolOutput::failure(tool_error::kCancelled, name_ + ": cancelled before it started");
    }
    // A safety net: tools do not throw, but one bug must not take the turn down.
    try {
      return run(*valid, ctx);
    } catch (const std::exception& e) {
      return fail(ErrorCode::internal, name_ + ": " + e.what());
    }
  }();
  if (!result) return result;
  result->text = sys::sanitize_utf8(result->text);
  result->metadata.output_bytes = result->text.size();
  result->metadata.duration_ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - started)
                                     .count());
  return result;
}

}  // namespace oxydra::tools
