#include "oxydra/runtime/agent.h"

#include "deadline.h"
#include "turn.h"

namespace oxydra::runtime {

Agent::Agent(AgentOptions options) : options_(std::move(options)) {}

TurnResult Agent::run_turn(Conversation& conversation, std::string user_text, TurnControl& control,
                           const TurnEventSink& on_event) const {
  Deadline deadline(options_.limits.turn_timeout,
                    [&control] { control.stop(gateway_rpc::kStopTimeout); });
  Turn turn(options_, conversation, control, on_event);
  TurnResult result = turn.run(std::move(user_text));
  if (options_.counters) options_.counters->turn_ended(result.stop_reason);
  return result;
}

}  // namespace oxydra::runtime
