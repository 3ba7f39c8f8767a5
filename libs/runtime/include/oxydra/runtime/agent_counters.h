#pragma once

#include <mutex>
#include <string_view>

#include "oxydra/tools/tool.h"
#include "oxydra/types/error_code.h"
#include "oxydra/types/gateway_messages.h"

namespace oxydra::runtime {

// Running totals of what the agent did since oxydra-vm started, counted where
// it happens (the turn loop) and read by the gateway's `health` for the
// runner's metrics. Thread-safe: turns of different sessions run at once.
class AgentCounters {
 public:
  void turn_ended(std::string_view stop_reason);
  void model_usage(std::uint64_t input_tokens, std::uint64_t output_tokens,
                   std::optional<double> cost);
  void provider_failed(ErrorCode code);
  // One call of the shell tool, as its output says it ended.
  void shell_command(const tools::ToolOutput& output);

  gateway_rpc::AgentCounters snapshot() const;

 private:
  mutable std::mutex mutex_;
  gateway_rpc::AgentCounters counters_;
};

}  // namespace oxydra::runtime
