#include "tool_dispatch.h"

#include <mutex>
#include <thread>

namespace oxydra::runtime {

namespace {

bool is_read_only(const tools::Registry& registry, const std::string& name) {
  const tools::Tool* tool = registry.find(name);
  return tool != nullptr && tool->tier() == tools::SafetyTier::read_only;
}

}  // namespace

void dispatch_tool_calls(const tools::Registry& registry,
                         const std::vector<provider::ToolCall>& calls,
                         const std::string& session_id, std::stop_token stop,
                         const ToolResultHandler& on_result) {
  std::mutex result_mu;
  auto run_one = [&](const provider::ToolCall& call) {
    tools::ToolContext ctx{stop, session_id, call.id};
    tools::ToolOutput output = registry.call_text(call.name, call.arguments, ctx);
    std::lock_guard lock(result_mu);
    on_result(call, std::move(output));
  };

  for (std::size_t i = 0; i < calls.size();) {
    std::size_t end = i + 1;
    if (is_read_only(registry, calls[i].name)) {
      while (end < calls.size() && is_read_only(registry, calls[end].name))
        ++end;
    }
    if (end - i == 1) {
      run_one(calls[i]);
    } else {
      std::vector<std::jthread> batch;
      batch.reserve(end - i - 1);
      for (std::size_t j = i + 1; j < end; ++j)
        batch.emplace_back(run_one, std::cref(calls[j]));
      run_one(calls[i]);
    }  // the batch joins here, before the next call starts
    i = end;
  }
}

}  // namespace oxydra::runtime
