#pragma once

#include <cstdint>
#include <string>

namespace oxydra::memory {

// Wall-clock milliseconds since the epoch: the store's timestamps.
std::int64_t now_ms();

// "chat-20240501-120000-1a2b3c4d": the UTC creation time, readable and
// sortable by eye, and 32 random bits so ids made in the same second differ.
std::string new_session_id(std::int64_t at_ms);

}  // namespace oxydra::memory
