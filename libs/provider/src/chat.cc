#include "oxydra/provider/chat.h"

#include <algorithm>
#include <numeric>

namespace oxydra::provider {

std::string_view to_string(StopReason reason) {
  switch (reason) {
    case StopReason::end_turn:
      return "end_turn";
    case StopReason::tool_use:
      return "tool_use";
    case StopReason::max_tokens:
      return "max_tokens";
    case StopReason::content_filter:
      return "content_filter";
    case StopReason::other:
      return "other";
  }
  return "other";
}

ChatMessage ChatMessage::system(std::string text) {
  return ChatMessage{Role::system, std::move(text), {}, {}, false};
}

ChatMessage ChatMessage::user(std::string text) {
  return ChatMessage{Role::user, std::move(text), {}, {}, false};
}

ChatMessage ChatMessage::assistant(std::string text, std::vector<ToolCall> tool_calls) {
  return ChatMessage{Role::assistant, std::move(text), std::move(tool_calls), {}, false};
}

ChatMessage ChatMessage::tool_result(std::string tool_call_id, std::string text, bool is_error) {
  return ChatMessage{Role::tool, std::move(text), {}, std::move(tool_call_id), is_error};
}

ChatEvent ChatEvent::text_delta(std::string text) {
  ChatEvent event;
  event.kind = Kind::text_delta;
  event.text = std::move(text);
  return event;
}

ChatEvent ChatEvent::tool_call_start(std::size_t index, std::string id, std::string name) {
  ChatEvent event;
  event.kind = Kind::tool_call_start;
  event.index = index;
  event.tool_call_id = std::move(id);
  event.tool_name = std::move(name);
  return event;
}

ChatEvent ChatEvent::tool_call_delta(std::size_t index, std::string fragment) {
  ChatEvent event;
  event.kind = Kind::tool_call_delta;
  event.index = index;
  event.text = std::move(fragment);
  return event;
}

ChatEvent ChatEvent::usage_update(Usage usage) {
  ChatEvent event;
  event.kind = Kind::usage;
  event.usage = usage;
  return event;
}

ChatEvent ChatEvent::done(StopReason reason) {
  ChatEvent event;
  event.kind = Kind::done;
  event.stop_reason = reason;
  return event;
}

ToolCall& ResponseAssembler::call_at(std::size_t index) {
  for (std::size_t i = 0; i < indices_.size(); ++i)
    if (indices_[i] == index) return response_.tool_calls[i];
  indices_.push_back(index);
  return response_.tool_calls.emplace_back();
}

void ResponseAssembler::apply(const ChatEvent& event) {
  switch (event.kind) {
    case ChatEvent::Kind::text_delta:
      response_.text += event.text;
      break;
    case ChatEvent::Kind::tool_call_start: {
      ToolCall& call = call_at(event.index);
      if (!event.tool_call_id.empty()) call.id = event.tool_call_id;
      if (!event.tool_name.empty()) call.name = event.tool_name;
      break;
    }
    case ChatEvent::Kind::tool_call_delta:
      call_at(event.index).arguments += event.text;
      break;
    case ChatEvent::Kind::usage:
      response_.usage = event.usage;
      break;
    case ChatEvent::Kind::done:
      response_.stop_reason = event.stop_reason;
      break;
  }
}

ChatResponse ResponseAssembler::finish() && {
  std::vector<std::size_t> order(indices_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return indices_[a] < indices_[b]; });
  std::vector<ToolCall> calls;
  calls.reserve(order.size());
  for (std::size_t i : order) {
    ToolCall call = std::move(response_.tool_calls[i]);
    if (call.id.empty()) call.id = "call_" + std::to_string(indices_[i]);
    if (call.arguments.empty()) call.arguments = "{}";
    calls.push_back(std::move(call));
  }
  response_.tool_calls = std::move(calls);
  return std::move(response_);
}

}  // namespace oxydra::provider
