#include "oxydra/runtime/agent_counters.h"

namespace oxydra::runtime {

void AgentCounters::turn_ended(std::string_view stop_reason) {
  std::lock_guard lock(mutex_);
  ++counters_.turns[std::string(stop_reason)];
}

void AgentCounters::model_usage(std::uint64_t input_tokens, std::uint64_t output_tokens,
                                std::optional<double> cost) {
  std::lock_guard lock(mutex_);
  counters_.input_tokens += input_tokens;
  counters_.output_tokens += output_tokens;
  if (cost) counters_.cost += *cost;
}

void AgentCounters::provider_failed(ErrorCode code) {
  std::lock_guard lock(mutex_);
  ++counters_.provider_errors[std::string(to_string(code))];
}

void AgentCounters::shell_command(const tools::ToolOutput& output) {
  const auto& code = output.metadata.error_code;
  // Calls that never reached a shell are not commands.
  if (code == tools::tool_error::kDisabled || code == tools::tool_error::kInvalidArguments ||
      code == "not_run") {
    return;
  }
  const bool succeeded = !output.is_error && output.metadata.exit_code == 0;
  std::lock_guard lock(mutex_);
  ++counters_.shell_commands;
  if (!succeeded) ++counters_.shell_command_failures;
  if (output.metadata.timed_out) ++counters_.shell_command_timeouts;
}

gateway_rpc::AgentCounters AgentCounters::snapshot() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

}  // namespace oxydra::runtime
