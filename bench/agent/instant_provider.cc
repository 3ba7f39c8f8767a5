#include "instant_provider.h"

namespace oxydra::bench {

Result<provider::ChatResponse> InstantProvider::stream_chat(
    const provider::ChatRequest&, const provider::ChatEventHandler& on_event,
    const provider::CancelToken&) {
  using provider::ChatEvent;
  provider::ResponseAssembler assembler;
  auto emit = [&](const ChatEvent& event) {
    assembler.apply(event);
    if (on_event) on_event(event);
  };
  for (const char* piece : {"Here", " is", " the", " answer", "."}) {
    emit(ChatEvent::text_delta(piece));
  }
  const bool call_tool = tool_calls_left > 0;
  if (call_tool) {
    --tool_calls_left;
    emit(ChatEvent::tool_call_start(0, "call_1", tool_));
    emit(ChatEvent::tool_call_delta(0, R"({"x":"y"})"));
  }
  emit(ChatEvent::usage_update({120, 8}));
  emit(
      ChatEvent::done(call_tool ? provider::StopReason::tool_use : provider::StopReason::end_turn));
  return std::move(assembler).finish();
}

}  // namespace oxydra::bench
