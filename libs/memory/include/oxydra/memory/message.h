#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "oxydra/types/role.h"

namespace oxydra::memory {

// `in_flight` marks a message still being produced (e.g. assistant text being
// streamed); a crash leaves it in that state so a resumed session can drop it.
enum class MessageStatus { complete, in_flight };

std::string_view to_string(MessageStatus status);
std::optional<MessageStatus> parse_status(std::string_view text);

// One conversation message as stored, provider-neutral: the runtime maps it to
// and from each provider's wire shape.
struct StoredMessage {
  Role role = Role::user;
  std::string content;
  std::string tool_calls;    // assistant: JSON array text of the calls; empty if none
  std::string tool_call_id;  // tool: the call this result answers
  std::string tool_name;     // tool: the tool that ran
  MessageStatus status = MessageStatus::complete;

  // Filled in by the store when loading; ignored when appending.
  std::int64_t seq = 0;  // 1, 2, ... within the session
  std::int64_t created_at_ms = 0;
};

struct SessionInfo {
  std::string id;
  std::string title;  // empty if none
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;  // last activity
  std::int64_t message_count = 0;
};

}  // namespace oxydra::memory
