#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "oxydra/provider/chat.h"
#include "oxydra/tools/registry.h"

namespace oxydra::runtime {

using ToolResultHandler = std::function<void(const provider::ToolCall&, tools::ToolOutput)>;

// Runs one model answer's tool calls. Consecutive read-only calls run in
// parallel; any other call (side-effecting, privileged, unknown) runs alone,
// after everything before it and before everything after it, so effects
// happen in the order the model asked for them. Once `stop` is requested the
// calls not yet started answer "cancelled" without running. `on_result` runs
// once per call, never concurrently, in completion order.
void dispatch_tool_calls(const tools::Registry& registry,
                         const std::vector<provider::ToolCall>& calls,
                         const std::string& session_id, std::stop_token stop,
                         const ToolResultHandler& on_result);

}  // namespace oxydra::runtime
