#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/memory/message.h"
#include "oxydra/provider/chat.h"
#include "oxydra/types/error.h"

namespace oxydra::runtime {

// How chat messages are kept in memory::Store, and how a stored session is
// made fit to send to a model again. Pure: no store access here.

// What the model reads for a tool call whose result was never recorded.
inline constexpr std::string_view kInterruptedToolResult =
    "interrupted: the agent stopped before this tool call finished, so its outcome is unknown "
    "(it may or may not have run)";

// The assistant's calls as stored: [{"id","name","arguments"}], `arguments`
// the model's raw JSON text. Empty for no calls.
std::string encode_tool_calls(const std::vector<provider::ToolCall>& calls);
// Error code `invalid_history` when the text is not that shape.
Result<std::vector<provider::ToolCall>> decode_tool_calls(std::string_view text);

// `tool_name` is kept with tool results (for people reading the database).
memory::StoredMessage to_stored(const provider::ChatMessage& message,
                                std::string_view tool_name = {});

struct RestoredHistory {
  std::vector<provider::ChatMessage> messages;
  std::size_t dropped_in_flight = 0;  // messages a crash left half-written
  std::size_t interrupted_calls = 0;  // calls given an "interrupted" result
  std::size_t dropped_orphans = 0;    // results answering no call, and unreadable rows
};

// Drops in_flight and system rows; gives every assistant tool call without a
// result an `interrupted` error result right after its siblings' results, so
// each call is answered before the next user or assistant message (both APIs
// refuse a history that is not); drops results that answer no pending call.
RestoredHistory restore_history(const std::vector<memory::StoredMessage>& stored);

}  // namespace oxydra::runtime
