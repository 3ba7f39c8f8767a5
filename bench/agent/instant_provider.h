#pragma once

#include <string>

#include "oxydra/provider/provider.h"

namespace oxydra::bench {

// A provider that answers at once, without I/O: a few text deltas, and a
// tool call on every call while `tool_calls_left` > 0. It streams events the
// way the real clients do, so the runtime does its full per-event work.
class InstantProvider final : public provider::Provider {
 public:
  explicit InstantProvider(std::string tool = {}) : tool_(std::move(tool)) {}
  int tool_calls_left = 0;

  Result<provider::ChatResponse> stream_chat(const provider::ChatRequest& request,
                                             const provider::ChatEventHandler& on_event,
                                             const provider::CancelToken& cancel) override;
  Result<provider::ChatResponse> chat(const provider::ChatRequest& request,
                                      const provider::CancelToken& cancel) override {
    return stream_chat(request, {}, cancel);
  }

 private:
  std::string tool_;
};

}  // namespace oxydra::bench
