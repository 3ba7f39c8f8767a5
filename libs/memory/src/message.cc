#include "oxydra/memory/message.h"

namespace oxydra::memory {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::system:
      return "system";
    case Role::user:
      return "user";
    case Role::assistant:
      return "assistant";
    case Role::tool:
      return "tool";
  }
  return "user";
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role role : {Role::system, Role::user, Role::assistant, Role::tool}) {
    if (to_string(role) == text) return role;
  }
  return std::nullopt;
}

std::string_view to_string(MessageStatus status) {
  return status == MessageStatus::in_flight ? "in_flight" : "complete";
}

std::optional<MessageStatus> parse_status(std::string_view text) {
  if (text == "complete") return MessageStatus::complete;
  if (text == "in_flight") return MessageStatus::in_flight;
  return std::nullopt;
}

}  // namespace oxydra::memory
