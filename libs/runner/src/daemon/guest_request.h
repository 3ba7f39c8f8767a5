#pragma once

#include <chrono>
#include <string>

#include <asio.hpp>
#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"
#include "oxydra/types/message.h"

namespace oxydra::runner {

// One request to a guest's service on its Unix socket and the first reply,
// the whole exchange bounded by `deadline` (a guest that accepts and never
// answers cannot hold the runner). The reply is a guest's: hostile input,
// only framed and parsed here. Error code "not_ready" with what failed.
asio::awaitable<Result<Message>> request_guest(const std::string& socket_path, std::string_view op,
                                               const nlohmann::json& payload,
                                               std::chrono::steady_clock::time_point deadline);

}  // namespace oxydra::runner
