#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/runtime/agent.h"

namespace oxydra::runtime {

// The state of one turn while Agent::run_turn runs it.
class Turn {
 public:
  Turn(const AgentOptions& options, Conversation& conversation, TurnControl& control,
       const TurnEventSink& sink);

  TurnResult run(std::string user_text);

 private:
  // One model call; nullopt when the turn ended during it (result_ is set).
  std::optional<provider::ChatResponse> call_model();
  // Runs the calls; false when the turn ended (result_ is set).
  bool run_tools(const std::vector<provider::ToolCall>& calls);
  // Answers calls a guard stopped without running them.
  bool skip_tools(const std::vector<provider::ToolCall>& calls, std::string_view why);
  bool record_result(const provider::ToolCall& call, const tools::ToolOutput& output);
  void add_usage(const provider::Usage& usage);
  bool over_cost() const;

  void build_request();
  void emit(const gateway_rpc::TurnEvent& event);
  TurnResult finish(std::string_view stop_reason);
  TurnResult stopped();
  TurnResult failed(const Error& error);

  const AgentOptions& options_;
  Conversation& conversation_;
  TurnControl& control_;
  const TurnEventSink& sink_;
  provider::ChatRequest request_;
  std::string last_text_;
  gateway_rpc::Usage usage_;
  std::uint32_t model_calls_ = 0;
  std::uint32_t tool_calls_ = 0;
  std::optional<TurnResult> result_;
  std::optional<Error> save_error_;  // the first failure to save a tool result
};

}  // namespace oxydra::runtime
