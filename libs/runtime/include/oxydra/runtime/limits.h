#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "oxydra/types/agent_config.h"

namespace oxydra::runtime {

// The guards of one turn (answering one user message) and the prices that
// turn token counts into cost.
struct TurnLimits {
  std::chrono::milliseconds turn_timeout{std::chrono::minutes(10)};
  std::int64_t max_turns = 32;     // model calls within a turn
  std::optional<double> max_cost;  // in the prices' currency
  std::optional<double> input_price_per_mtok;
  std::optional<double> output_price_per_mtok;
};

// From [runtime] and the selected provider's prices.
TurnLimits turn_limits(const AgentConfig& config);

// The cost of one call's tokens; nullopt unless both prices are known.
std::optional<double> usage_cost(const TurnLimits& limits, std::int64_t input_tokens,
                                 std::int64_t output_tokens);

// The configured system prompt, or the built-in one when it is empty.
std::string system_prompt(const AgentConfig& config);

}  // namespace oxydra::runtime
