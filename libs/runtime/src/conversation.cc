#include "oxydra/runtime/conversation.h"

#include <utility>

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

Result<void> Conversation::begin_assistant() {
  if (!store_ || in_flight_seq_) return {};
  memory::StoredMessage row;
  row.role = memory::Role::assistant;
  row.status = memory::MessageStatus::in_flight;
  auto seq = store_->append_message(session_id_, row);
  if (!seq) return tl::unexpected(with_context(seq.error(), "save to session " + session_id_));
  in_flight_seq_ = *seq;
  return {};
}

Result<void> Conversation::finish_assistant(std::string text,
                                            std::vector<provider::ToolCall> calls) {
  auto message = provider::ChatMessage::assistant(std::move(text), std::move(calls));
  if (!in_flight_seq_) return append(std::move(message));
  const std::int64_t seq = *std::exchange(in_flight_seq_, std::nullopt);
  if (auto updated = store_->update_message(session_id_, seq, to_stored(message)); !updated) {
    return tl::unexpected(with_context(updated.error(), "save to session " + session_id_));
  }
  messages_.push_back(std::move(message));
  return {};
}

Result<void> Conversation::abandon_assistant(std::string partial_text) {
  if (!partial_text.empty()) return finish_assistant(std::move(partial_text), {});
  // The empty in_flight row stays behind; resume() drops it.
  in_flight_seq_.reset();
  return {};
}

Result<void> Conversation::add_tool_result(const provider::ToolCall& call,
                                           const tools::ToolOutput& output) {
  return append(provider::ChatMessage::tool_result(call.id, output.text, output.is_error),
                call.name);
}

}  // namespace oxydra::runtime
