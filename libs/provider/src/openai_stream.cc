// OpenAI chat completion chunks: `data: {chunk}` events, then `data: [DONE]`.
// Tool calls arrive as fragments keyed by `index`: the first carries id and
// name, later ones only pieces of the arguments string.

#include <set>

#include "api_format.h"
#include "json_util.h"

namespace oxydra::provider {
namespace {

class OpenAiStreamDecoder final : public StreamDecoder {
 public:
  Result<void> on_event(const SseEvent& event, const ChatEventHandler& emit) override {
    if (done_) return {};
    if (event.data == "[DONE]") return finish_stream(emit);

    auto parsed = parse_object(event.data, "stream event");
    if (!parsed) return tl::unexpected(parsed.error());
    const json& chunk = *parsed;
    // OpenRouter and others report mid-stream failures as {"error": {...}}.
    if (std::string error = embedded_error(chunk); !error.empty())
      return fail(ErrorCode::provider_error, error);

    if (const json* choices = array_member(chunk, "choices")) {
      for (const json& choice : *choices) {
        if (int_member(choice, "index") != 0) continue;  // only one choice is requested
        if (const json* delta = object_member(choice, "delta")) on_delta(*delta, emit);
        const std::string finish_reason = string_member(choice, "finish_reason");
        if (!finish_reason.empty()) {
          stop_reason_ = openai_stop_reason(finish_reason);
          finished_ = true;
        }
      }
    }
    if (const json* usage = object_member(chunk, "usage")) {
      emit(ChatEvent::usage_update(
          Usage{int_member(*usage, "prompt_tokens"), int_member(*usage, "completion_tokens")}));
    }
    return {};
  }

  Result<void> finish(const ChatEventHandler& emit) override {
    if (done_) return {};
    // A server that closes after the finish reason but omits [DONE] has still
    // said everything.
    if (finished_) return finish_stream(emit);
    return fail(ErrorCode::invalid_response, "stream ended before [DONE]");
  }

  bool done() const override { return done_; }

 private:
  void on_delta(const json& delta, const ChatEventHandler& emit) {
    std::string content = string_member(delta, "content");
    if (!content.empty()) emit(ChatEvent::text_delta(std::move(content)));
    const json* calls = array_member(delta, "tool_calls");
    if (!calls) return;
    for (std::size_t position = 0; position < calls->size(); ++position) {
      const json& call = (*calls)[position];
      // Servers that send whole calls sometimes omit `index`: use the position.
      const auto index =
          static_cast<std::size_t>(int_member(call, "index", static_cast<std::int64_t>(position)));
      const json* function = object_member(call, "function");
      if (started_.insert(index).second) {
        emit(ChatEvent::tool_call_start(index, string_member(call, "id"),
                                        function ? string_member(*function, "name") : ""));
      }
      if (!function) continue;
      const json* arguments = member(*function, "arguments");
      if (!arguments) continue;
      std::string fragment = arguments->is_string() ? arguments->get<std::string>()
                             : arguments->is_null() ? std::string()
                                                    : dump(*arguments);
      if (!fragment.empty()) emit(ChatEvent::tool_call_delta(index, std::move(fragment)));
    }
  }

  Result<void> finish_stream(const ChatEventHandler& emit) {
    done_ = true;
    if (!started_.empty() && stop_reason_ == StopReason::end_turn)
      stop_reason_ = StopReason::tool_use;
    emit(ChatEvent::done(stop_reason_));
    return {};
  }

  std::set<std::size_t> started_;
  StopReason stop_reason_ = StopReason::end_turn;
  bool finished_ = false;  // a finish_reason was seen
  bool done_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> make_openai_stream_decoder() {
  return std::make_unique<OpenAiStreamDecoder>();
}

}  // namespace oxydra::provider
