#include "oxydra/runtime/limits.h"

namespace oxydra::runtime {

namespace {

constexpr const char* kBuiltinPrompt =
    "You are Oxydra, a helpful assistant working in the user's workspace. "
    "You can run shell commands with shell_exec (in an isolated shell whose working "
    "directory is the user's shared folder) and read or change files with the file tools. "
    "Prefer small, safe steps, check results before relying on them, and say plainly when "
    "something failed. A tool that is disabled answers with the reason; do not retry it.";

}  // namespace

TurnLimits turn_limits(const AgentConfig& config) {
  TurnLimits limits;
  limits.turn_timeout = std::chrono::seconds(config.runtime.turn_timeout_secs);
  limits.max_turns = config.runtime.max_turns;
  limits.max_cost = config.runtime.max_cost;
  if (auto it = config.providers.find(config.provider); it != config.providers.end()) {
    limits.input_price_per_mtok = it->second.input_price_per_mtok;
    limits.output_price_per_mtok = it->second.output_price_per_mtok;
  }
  return limits;
}

std::optional<double> usage_cost(const TurnLimits& limits, std::int64_t input_tokens,
                                 std::int64_t output_tokens) {
  if (!limits.input_price_per_mtok || !limits.output_price_per_mtok) return std::nullopt;
  return (static_cast<double>(input_tokens) * *limits.input_price_per_mtok +
          static_cast<double>(output_tokens) * *limits.output_price_per_mtok) /
         1e6;
}

std::string system_prompt(const AgentConfig& config) {
  return config.runtime.system_prompt.empty() ? std::string(kBuiltinPrompt)
                                              : config.runtime.system_prompt;
}

}  // namespace oxydra::runtime
