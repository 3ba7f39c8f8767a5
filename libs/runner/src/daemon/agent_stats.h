#pragma once

#include <string>

#include <asio.hpp>

#include "daemon/control_dispatch.h"

namespace oxydra::runner {

// The agent_stats reply (protocol.md §5): asks oxydra-vm's gateway for its
// `health` and passes on its counters. oxydra-vm's answer is a guest's,
// validated like any; when it is not running or does not answer in time the
// reply says so (`available` false, `reason`) instead of failing.
asio::awaitable<std::string> agent_stats_reply(ControlHandler& handler, const Message& request);

}  // namespace oxydra::runner
