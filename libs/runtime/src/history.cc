#include "oxydra/runtime/history.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace oxydra::runtime {

namespace {

using provider::ChatMessage;

// Calls of the latest assistant message still waiting for a result, in order.
struct Pending {
  std::vector<provider::ToolCall> calls;

  bool take(const std::string& id) {
    auto it = std::find_if(calls.begin(), calls.end(),
                           [&](const provider::ToolCall& c) { return c.id == id; });
    if (it == calls.end()) return false;
    calls.erase(it);
    return true;
  }

  void interrupt_all(RestoredHistory& out) {
    for (const auto& call : calls) {
      out.messages.push_back(
          ChatMessage::tool_result(call.id, std::string(kInterruptedToolResult), true));
      ++out.interrupted_calls;
    }
    calls.clear();
  }
};

}  // namespace

std::string encode_tool_calls(const std::vector<provider::ToolCall>& calls) {
  if (calls.empty()) return {};
  nlohmann::json out = nlohmann::json::array();
  for (const auto& call : calls) {
    out.push_back({{"id", call.id}, {"name", call.name}, {"arguments", call.arguments}});
  }
  return out.dump();
}

Result<std::vector<provider::ToolCall>> decode_tool_calls(std::string_view text) {
  std::vector<provider::ToolCall> calls;
  if (text.empty()) return calls;
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array()) return fail(ErrorCode::invalid_history, "tool_calls: not a JSON array");
  for (const auto& item : json) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_string() ||
        !item.contains("name") || !item["name"].is_string()) {
      return fail(ErrorCode::invalid_history, "tool_calls: each call needs a string id and name");
    }
    provider::ToolCall call{item["id"].get<std::string>(), item["name"].get<std::string>(), "{}"};
    if (auto args = item.find("arguments"); args != item.end() && args->is_string()) {
      call.arguments = args->get<std::string>();
    }
    calls.push_back(std::move(call));
  }
  return calls;
}

memory::StoredMessage to_stored(const ChatMessage& message, std::string_view tool_name) {
  memory::StoredMessage stored;
  stored.role = message.role;
  stored.content = message.text;
  switch (message.role) {
    case Role::system:
    case Role::user:
      break;
    case Role::assistant:
      stored.tool_calls = encode_tool_calls(message.tool_calls);
      break;
    case Role::tool:
      stored.tool_call_id = message.tool_call_id;
      stored.tool_name = std::string(tool_name);
      break;
  }
  return stored;
}

RestoredHistory restore_history(const std::vector<memory::StoredMessage>& stored) {
  RestoredHistory out;
  Pending pending;
  for (const auto& row : stored) {
    if (row.status == memory::MessageStatus::in_flight) {
      ++out.dropped_in_flight;
      continue;
    }
    switch (row.role) {
      case Role::system:
        break;  // the system prompt comes from the config of the day
      case Role::user:
        pending.interrupt_all(out);
        out.messages.push_back(ChatMessage::user(row.content));
        break;
      case Role::assistant: {
        pending.interrupt_all(out);
        auto calls = decode_tool_calls(row.tool_calls);
        if (!calls) {
          ++out.dropped_orphans;
          out.messages.push_back(ChatMessage::assistant(row.content));
          break;
        }
        pending.calls = *calls;
        out.messages.push_back(ChatMessage::assistant(row.content, std::move(*calls)));
        break;
      }
      case Role::tool:
        if (!pending.take(row.tool_call_id)) {
          ++out.dropped_orphans;
          break;
        }
        out.messages.push_back(ChatMessage::tool_result(row.tool_call_id, row.content));
        break;
    }
  }
  pending.interrupt_all(out);
  return out;
}

}  // namespace oxydra::runtime
