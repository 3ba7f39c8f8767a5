#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "oxydra/provider/provider.h"

namespace oxydra::runtime::testing {

// One scripted model answer.
struct FakeReply {
  std::string text = {};
  std::vector<provider::ToolCall> calls = {};
  provider::Usage usage = {10, 5};
  std::optional<Error> error = {};  // fail instead (after streaming `text`)
  bool wait_for_cancel = false;     // stream `text`, then block until cancelled
};

// An in-process Provider that streams scripted replies as the real clients
// do (text in pieces, tool calls as start + argument fragments, usage, done)
// and records every request.
class FakeProvider final : public provider::Provider {
 public:
  void push(FakeReply reply);
  std::vector<provider::ChatRequest> requests() const;
  std::size_t calls() const;

  Result<provider::ChatResponse> stream_chat(const provider::ChatRequest& request,
                                             const provider::ChatEventHandler& on_event,
                                             const provider::CancelToken& cancel) override;
  Result<provider::ChatResponse> chat(const provider::ChatRequest& request,
                                      const provider::CancelToken& cancel) override;

 private:
  mutable std::mutex mu_;
  std::deque<FakeReply> replies_;
  std::vector<provider::ChatRequest> requests_;
};

provider::ToolCall call(std::string id, std::string name, std::string arguments);

}  // namespace oxydra::runtime::testing
