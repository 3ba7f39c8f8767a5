#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oxydra/memory/store.h"
#include "oxydra/provider/chat.h"
#include "oxydra/runtime/history.h"
#include "oxydra/tools/tool.h"
#include "oxydra/types/error.h"

namespace oxydra::runtime {

// One session's history as the model sees it, written to the store as it
// grows: the user message at once, each assistant message and tool result as
// it completes (one commit each), so a crash mid-turn loses at most the
// message being produced. Rows another writer left `in_flight` are dropped by
// resume(). Used by one turn at a time (not thread-safe).
class Conversation {
 public:
  // Kept in memory only (memory disabled; tests).
  explicit Conversation(std::string session_id);

  // Loads the session and repairs it (restore_history). `store` is shared with
  // every other conversation of the agent.
  static Result<Conversation> resume(std::shared_ptr<memory::Store> store, std::string session_id);

  const std::string& session_id() const { return session_id_; }
  const std::vector<provider::ChatMessage>& messages() const { return messages_; }
  // What resume() dropped or repaired.
  const RestoredHistory& restored() const { return restored_; }

  Result<void> add_user(std::string text);
  Result<void> add_assistant(std::string text, std::vector<provider::ToolCall> calls = {});
  Result<void> add_tool_result(const provider::ToolCall& call, const tools::ToolOutput& output);

 private:
  Result<void> append(provider::ChatMessage message, std::string_view tool_name = {});

  std::string session_id_;
  std::shared_ptr<memory::Store> store_;
  std::vector<provider::ChatMessage> messages_;
  RestoredHistory restored_;
};

}  // namespace oxydra::runtime
