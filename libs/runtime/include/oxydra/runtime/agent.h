#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "oxydra/memory/audit.h"
#include "oxydra/provider/provider.h"
#include "oxydra/runtime/agent_counters.h"
#include "oxydra/runtime/conversation.h"
#include "oxydra/runtime/limits.h"
#include "oxydra/runtime/turn_control.h"
#include "oxydra/tools/registry.h"
#include "oxydra/types/gateway_messages.h"

namespace oxydra::runtime {

// Events of a running turn, in order, on the turn's thread. request_id is left
// empty for the caller to fill in.
using TurnEventSink = std::function<void(const gateway_rpc::TurnEvent&)>;

struct TurnResult {
  std::string text;             // the last assistant text of the turn
  std::string stop_reason;      // gateway_rpc::kStop*
  gateway_rpc::Usage usage;     // totals of the turn; cost when both prices are known
  std::optional<Error> error;   // why, when stop_reason is kStopError
  bool error_notified = false;  // the turn already sent `error` as a notice event
  std::uint32_t model_calls = 0;
  std::uint32_t tool_calls = 0;
};

struct AgentOptions {
  std::shared_ptr<provider::Provider> provider;
  std::shared_ptr<const tools::Registry> tools;
  std::shared_ptr<memory::AuditLog> audit;  // null: no audit trail
  TurnLimits limits;
  std::string system_prompt;
  std::shared_ptr<AgentCounters> counters;  // null: nothing counted
};

// The turn loop: stream a model answer, run the tool calls it asks for
// (read-only ones in parallel, the others one at a time in the model's order),
// append the results and call the model again, until it stops asking for
// tools or a guard ends the turn:
//   completed   the model answered without tool calls
//   max_turns   the model still wanted tools after limits.max_turns calls
//   max_cost    the turn's cost reached limits.max_cost with tools pending
//   timeout     limits.turn_timeout passed
//   cancelled   TurnControl::cancel()
//   error       the provider failed, or the history could not be saved
// Tool calls a guard prevents are answered "not run" so the history stays
// well-formed, and every call the model asks for is written to the audit log.
class Agent {
 public:
  explicit Agent(AgentOptions options);

  // Thread-safe: turns of different conversations may run at once.
  TurnResult run_turn(Conversation& conversation, std::string user_text, TurnControl& control,
                      const TurnEventSink& on_event) const;

  const AgentOptions& options() const { return options_; }

 private:
  AgentOptions options_;
};

}  // namespace oxydra::runtime
