#pragma once

#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "oxydra/provider/cancel.h"

namespace oxydra::runtime {

// Stops a running turn from any thread: the gateway's cancel, SIGINT, or the
// turn's own deadline. Stopping aborts the provider request in flight and asks
// running tools to stop; the first reason given is the turn's stop reason.
class TurnControl {
 public:
  // True when this call stopped the turn (false: it was already stopped).
  bool stop(std::string_view reason);
  bool cancel();  // stop(kStopCancelled)

  bool stopped() const;
  std::optional<std::string> reason() const;

  const provider::CancelToken& token() const { return token_; }
  std::stop_token stop_token() const { return stop_.get_token(); }

 private:
  mutable std::mutex mu_;
  std::optional<std::string> reason_;
  provider::CancelToken token_;
  std::stop_source stop_;
};

}  // namespace oxydra::runtime
