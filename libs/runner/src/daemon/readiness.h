#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <asio.hpp>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// Waits until a guest's service answers on its Unix socket: connects, sends
// {"op": <op>, "payload": {"request_id", ...}}, and accepts any reply with
// that op. Retries while the socket is absent or refuses, until `deadline`.
// `gone` is asked before each attempt and ends the wait with its reason (the
// guest exited). oxydra-vm is probed with `health` (no side effects), the
// shell daemon with `hello`. Error codes "not_ready" and "guest_exited".
struct ReadinessProbe {
  std::string socket_path;
  std::string op;
  std::string what;  // "oxydra-vm gateway", for messages
  std::chrono::steady_clock::time_point deadline;
  std::function<std::optional<std::string>()> gone;
};

asio::awaitable<Result<void>> wait_until_ready(ReadinessProbe probe);

}  // namespace oxydra::runner
