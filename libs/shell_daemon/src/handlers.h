#pragma once

#include <memory>

#include <asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "connection.h"
#include "oxydra/types/message.h"

namespace oxydra::shell_daemon {

// Routes one request to its handler. Quick requests are answered before this
// returns; the rest (exec_command, and stream_output or kill_session on a
// busy session) answer from their own coroutine, so nothing here waits.
void dispatch(const std::shared_ptr<Connection>& connection, const Message& message);

// Handlers that live in their own file.
void on_exec_command(const std::shared_ptr<Connection>& connection, const nlohmann::json& payload);

// Runs `task` as a request answered later: the connection counts it as open
// until it completes.
void spawn_request(const std::shared_ptr<Connection>& connection, asio::awaitable<void> task);

void reply_error(Connection& connection, const nlohmann::json& payload, const Error& error);

}  // namespace oxydra::shell_daemon
