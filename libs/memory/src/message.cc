#include "oxydra/memory/message.h"

namespace oxydra::memory {

std::string_view to_string(MessageStatus status) {
  return status == MessageStatus::in_flight ? "in_flight" : "complete";
}

std::optional<MessageStatus> parse_status(std::string_view text) {
  if (text == "complete") return MessageStatus::complete;
  if (text == "in_flight") return MessageStatus::in_flight;
  return std::nullopt;
}

}  // namespace oxydra::memory
