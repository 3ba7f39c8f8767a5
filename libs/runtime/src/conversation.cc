#include "oxydra/runtime/conversation.h"

namespace oxydra::runtime {

Conversation::Conversation(std::string session_id) : session_id_(std::move(session_id)) {}

Result<Conversation> Conversation::resume(std::shared_ptr<memory::Store> store,
                                          std::string session_id) {
  auto stored = store->load_messages(session_id);
  if (!stored) return tl::unexpected(with_context(stored.error(), "load session " + session_id));
  Conversation conversation(std::move(session_id));
  conversation.store_ = std::move(store);
  conversation.restored_ = restore_history(*stored);
  conversation.messages_ = std::move(conversation.restored_.messages);
  conversation.restored_.messages.clear();
  return conversation;
}

Result<void> Conversation::append(provider::ChatMessage message, std::string_view tool_name) {
  if (store_) {
    auto seq = store_->append_message(session_id_, to_stored(message, tool_name));
    if (!seq) return tl::unexpected(with_context(seq.error(), "save to session " + session_id_));
  }
  messages_.push_back(std::move(message));
  return {};
}

Result<void> Conversation::add_user(std::string text) {
  return append(provider::ChatMessage::user(std::move(text)));
}

Result<void> Conversation::add_assistant(std::string text, std::vector<provider::ToolCall> calls) {
  return append(provider::ChatMessage::assistant(std::move(text), std::move(calls)));
}

Result<void> Conversation::add_tool_result(const provider::ToolCall& call,
                                           const tools::ToolOutput& output) {
  return append(provider::ChatMessage::tool_result(call.id, output.text, output.is_error),
                call.name);
}

}  // namespace oxydra::runtime
