#include "oxydra/provider/stream_decoder.h"

#include "api_format.h"

namespace oxydra::provider {

std::unique_ptr<StreamDecoder> make_stream_decoder(ApiKind api) {
  switch (api) {
    case ApiKind::openai_chat:
      return make_openai_stream_decoder();
    case ApiKind::anthropic:
      return make_anthropic_stream_decoder();
  }
  return make_openai_stream_decoder();
}

void emit_response_events(const ChatResponse& response, const ChatEventHandler& emit) {
  if (!response.text.empty()) emit(ChatEvent::text_delta(response.text));
  for (std::size_t i = 0; i < response.tool_calls.size(); ++i) {
    const ToolCall& call = response.tool_calls[i];
    emit(ChatEvent::tool_call_start(i, call.id, call.name));
    emit(ChatEvent::tool_call_delta(i, call.arguments));
  }
  emit(ChatEvent::usage_update(response.usage));
  emit(ChatEvent::done(response.stop_reason));
}

void normalize_stop_reason(ChatResponse& response) {
  if (!response.tool_calls.empty() && response.stop_reason == StopReason::end_turn)
    response.stop_reason = StopReason::tool_use;
}

}  // namespace oxydra::provider
