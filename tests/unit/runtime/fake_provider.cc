#include "fake_provider.h"

namespace oxydra::runtime::testing {

void FakeProvider::push(FakeReply reply) {
  std::lock_guard lock(mu_);
  replies_.push_back(std::move(reply));
}

std::vector<provider::ChatRequest> FakeProvider::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::size_t FakeProvider::calls() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

Result<provider::ChatResponse> FakeProvider::stream_chat(const provider::ChatRequest& request,
                                                         const provider::ChatEventHandler& on_event,
                                                         const provider::CancelToken& cancel) {
  FakeReply reply;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (replies_.empty())
      return fail(ErrorCode::provider_error, "fake provider: no scripted reply left");
    reply = std::move(replies_.front());
    replies_.pop_front();
  }
  using provider::ChatEvent;
  provider::ResponseAssembler assembler;
  auto emit = [&](const ChatEvent& event) {
    assembler.apply(event);
    if (on_event) on_event(event);
  };
  // A reply scripted to wait for the cancel streams its whole text first, so a test that
  // cancels on the first delta still knows what the user saw.
  for (std::size_t at = 0; at < reply.text.size(); at += 4) {
    if (cancel.cancelled() && !reply.wait_for_cancel)
      return fail(ErrorCode::cancelled, "fake provider: cancelled");
    emit(ChatEvent::text_delta(reply.text.substr(at, 4)));
  }
  if (reply.wait_for_cancel) {
    cancel.wait_for(std::chrono::seconds(30));
    return fail(ErrorCode::cancelled, "fake provider: cancelled");
  }
  if (reply.error) return tl::unexpected(*reply.error);
  for (std::size_t i = 0; i < reply.calls.size(); ++i) {
    emit(ChatEvent::tool_call_start(i, reply.calls[i].id, reply.calls[i].name));
    const std::string& args = reply.calls[i].arguments;
    for (std::size_t at = 0; at < args.size(); at += 3) {
      emit(ChatEvent::tool_call_delta(i, args.substr(at, 3)));
    }
  }
  emit(ChatEvent::usage_update(reply.usage));
  emit(ChatEvent::done(reply.calls.empty() ? provider::StopReason::end_turn
                                           : provider::StopReason::tool_use));
  return std::move(assembler).finish();
}

Result<provider::ChatResponse> FakeProvider::chat(const provider::ChatRequest& request,
                                                  const provider::CancelToken& cancel) {
  return stream_chat(request, {}, cancel);
}

provider::ToolCall call(std::string id, std::string name, std::string arguments) {
  return provider::ToolCall{std::move(id), std::move(name), std::move(arguments)};
}

}  // namespace oxydra::runtime::testing
