#include "session_id.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace oxydra::memory {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string new_session_id(std::int64_t at_ms) {
  std::time_t seconds = static_cast<std::time_t>(at_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  // Fresh from the OS each time (no seeded generator whose state a fork copies).
  char tail[16];
  std::snprintf(tail, sizeof tail, "%08x", static_cast<unsigned>(std::random_device{}()));
  return std::string("chat-") + stamp + "-" + tail;
}

}  // namespace oxydra::memory
