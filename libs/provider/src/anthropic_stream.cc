// Anthropic message stream: message_start, then per content block
// content_block_start / content_block_delta* / content_block_stop, then
// message_delta (stop reason, output tokens) and message_stop; ping and error
// may come at any time.

#include <map>

#include "api_format.h"
#include "json_util.h"

namespace oxydra::provider {
namespace {

class AnthropicStreamDecoder final : public StreamDecoder {
 public:
  Result<void> on_event(const SseEvent& event, const ChatEventHandler& emit) override {
    if (done_) return {};
    auto parsed = parse_object(event.data, "stream event");
    if (!parsed) return tl::unexpected(parsed.error());
    const json& data = *parsed;
    // The payload's own type is authoritative; the SSE event name mirrors it.
    std::string type = string_member(data, "type");
    if (type.empty()) type = event.event;

    if (type == "message_start") {
      // Held back until message_delta, so nothing counts as delivered output
      // before the first content (a failed attempt can still be retried).
      if (const json* message = object_member(data, "message"))
        if (const json* usage = object_member(*message, "usage")) read_usage(*usage);
    } else if (type == "content_block_start") {
      on_block_start(data, emit);
    } else if (type == "content_block_delta") {
      on_block_delta(data, emit);
    } else if (type == "message_delta") {
      if (const json* delta = object_member(data, "delta")) {
        const std::string stop = string_member(*delta, "stop_reason");
        if (!stop.empty()) stop_reason_ = anthropic_stop_reason(stop);
      }
      if (const json* usage = object_member(data, "usage")) {
        read_usage(*usage);
        emit(ChatEvent::usage_update(usage_));
      }
    } else if (type == "message_stop") {
      done_ = true;
      emit(ChatEvent::done(stop_reason_));
    } else if (type == "error") {
      return stream_error(data);
    }
    // ping, content_block_stop and future event types need nothing.
    return {};
  }

  Result<void> finish(const ChatEventHandler&) override {
    if (done_) return {};
    return fail(ErrorCode::invalid_response, "stream ended before message_stop");
  }

  bool done() const override { return done_; }

 private:
  void read_usage(const json& usage) {
    usage_.input_tokens = int_member(usage, "input_tokens", usage_.input_tokens);
    usage_.output_tokens = int_member(usage, "output_tokens", usage_.output_tokens);
  }

  void on_block_start(const json& data, const ChatEventHandler& emit) {
    const json* block = object_member(data, "content_block");
    if (!block) return;
    const std::string type = string_member(*block, "type");
    if (type == "text") {
      std::string text = string_member(*block, "text");
      if (!text.empty()) emit(ChatEvent::text_delta(std::move(text)));
    } else if (type == "tool_use") {
      // Content block indices count text blocks too; tool calls are numbered
      // among themselves.
      const std::size_t index = tool_index_.size();
      tool_index_[int_member(data, "index")] = index;
      emit(ChatEvent::tool_call_start(index, string_member(*block, "id"),
                                      string_member(*block, "name")));
    }
  }

  void on_block_delta(const json& data, const ChatEventHandler& emit) {
    const json* delta = object_member(data, "delta");
    if (!delta) return;
    const std::string type = string_member(*delta, "type");
    if (type == "text_delta") {
      std::string text = string_member(*delta, "text");
      if (!text.empty()) emit(ChatEvent::text_delta(std::move(text)));
    } else if (type == "input_json_delta") {
      const auto it = tool_index_.find(int_member(data, "index"));
      std::string fragment = string_member(*delta, "partial_json");
      if (it != tool_index_.end() && !fragment.empty())
        emit(ChatEvent::tool_call_delta(it->second, std::move(fragment)));
    }
    // thinking_delta and signature_delta are not surfaced.
  }

  Result<void> stream_error(const json& data) {
    std::string kind;
    if (const json* error = object_member(data, "error")) kind = string_member(*error, "type");
    std::string message = embedded_error(data);
    if (message.empty()) message = "error event without a message";
    if (!kind.empty()) message = kind + ": " + message;
    const bool transient = kind == "overloaded_error" || kind == "api_error";
    return fail(transient ? ErrorCode::provider_unavailable : ErrorCode::provider_error, message);
  }

  std::map<std::int64_t, std::size_t> tool_index_;  // content block index -> tool call index
  Usage usage_;
  StopReason stop_reason_ = StopReason::end_turn;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> make_anthropic_stream_decoder() {
  return std::make_unique<AnthropicStreamDecoder>();
}

}  // namespace oxydra::provider
