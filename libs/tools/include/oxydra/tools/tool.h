#pragma once

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "oxydra/tools/arg_schema.h"
#include "oxydra/types/error.h"

namespace oxydra::tools {

// How the turn loop may schedule a tool: read_only calls run in parallel,
// side_effecting ones one at a time in the model's order; privileged ones too,
// and they are the ones an operator may want to confirm.
enum class SafetyTier { read_only, side_effecting, privileged };
std::string_view to_string(SafetyTier tier);

// A disabled tool answers every call with this instead of running. `reason` is
// a stable code (a degraded reason of protocol.md §3 where one applies).
struct Availability {
  bool enabled = true;
  std::string reason;
  std::string detail;

  static Availability ok() { return {}; }
  static Availability disabled(std::string reason, std::string detail) {
    return Availability{false, std::move(reason), std::move(detail)};
  }
};

// Error codes a ToolOutput carries in metadata.error_code.
namespace tool_error {
inline constexpr std::string_view kInvalidArguments = to_string(ErrorCode::invalid_arguments);
inline constexpr std::string_view kDisabled = to_string(ErrorCode::tool_disabled);
inline constexpr std::string_view kUnknownTool = to_string(ErrorCode::unknown_tool);
inline constexpr std::string_view kCancelled = to_string(ErrorCode::cancelled);
inline constexpr std::string_view kPathRefused = to_string(ErrorCode::path_refused);
inline constexpr std::string_view kFailed = to_string(ErrorCode::tool_failed);
}  // namespace tool_error

// What the audit record keeps about a call, besides its arguments.
struct ToolMetadata {
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool timed_out = false;
  std::uint64_t duration_ms = 0;  // the whole call, measured by Tool::invoke
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;
  std::uint64_t output_bytes = 0;  // size of ToolOutput::text
  std::uint64_t truncated_bytes = 0;
  std::string error_code;  // tool_error::k* or a tool's own code; empty on success
};
nlohmann::json to_json(const ToolMetadata& metadata);

struct ToolOutput {
  std::string text;  // what the model reads; always valid UTF-8
  bool is_error = false;
  ToolMetadata metadata;

  static ToolOutput success(std::string text);
  static ToolOutput failure(std::string_view code, std::string text);
};

struct ToolContext {
  std::stop_token stop;  // a stop request cancels the call
  std::string session_id;
  std::string call_id;
};

// A tool the model can call. Subclasses implement run(); invoke() wraps it with
// the checks every tool shares. invoke() may be called from several threads at
// once: tools synchronise their own state.
class Tool {
 public:
  Tool(std::string name, std::string description, ArgSchema args, SafetyTier tier);
  virtual ~Tool() = default;
  Tool(const Tool&) = delete;
  Tool& operator=(const Tool&) = delete;

  const std::string& name() const { return name_; }
  virtual std::string description() const { return description_; }
  const ArgSchema& args() const { return args_; }
  nlohmann::json parameters() const { return args_.json_schema(); }
  SafetyTier tier() const { return tier_; }
  virtual Availability availability() const { return Availability::ok(); }

  // Disabled, invalid arguments or cancelled before the start: an is_error
  // output naming the tool (`shell_exec: argument "command" must be a non-empty
  // string`). An Error means the machinery failed (e.g. the sidecar connection),
  // not the call; Registry::call turns it into an is_error output too.
  Result<ToolOutput> invoke(const nlohmann::json& args, const ToolContext& ctx);

 protected:
  // `args` has been validated against args() and normalised.
  virtual Result<ToolOutput> run(const nlohmann::json& args, const ToolContext& ctx) = 0;

 private:
  std::string name_;
  std::string description_;
  ArgSchema args_;
  SafetyTier tier_;
};

}  // namespace oxydra::tools
