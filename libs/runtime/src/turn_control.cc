#include "oxydra/runtime/turn_control.h"

#include "oxydra/types/gateway_messages.h"

namespace oxydra::runtime {

bool TurnControl::stop(std::string_view reason) {
  {
    std::lock_guard lock(mu_);
    if (reason_) return false;
    reason_ = std::string(reason);
  }
  token_.cancel();
  stop_.request_stop();
  return true;
}

bool TurnControl::cancel() {
  return stop(gateway_rpc::kStopCancelled);
}

bool TurnControl::stopped() const {
  std::lock_guard lock(mu_);
  return reason_.has_value();
}

std::optional<std::string> TurnControl::reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

}  // namespace oxydra::runtime
