#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fake_provider.h"
#include "oxydra/runtime/agent.h"
#include "probe_tools.h"

namespace oxydra::runtime::testing {

// An Agent over a FakeProvider and probe tools, recording the turn's events.
struct Rig {
  std::shared_ptr<FakeProvider> provider = std::make_shared<FakeProvider>();
  std::shared_ptr<tools::Registry> registry = std::make_shared<tools::Registry>();
  std::shared_ptr<ProbeLog> log = std::make_shared<ProbeLog>();
  std::shared_ptr<memory::AuditLog> audit;
  TurnLimits limits;
  std::shared_ptr<AgentCounters> counters = std::make_shared<AgentCounters>();
  std::mutex events_mu;
  std::vector<gateway_rpc::TurnEvent> events;

  void add_tool(std::string name, tools::SafetyTier tier, int rendezvous = 1,
                bool wait_for_stop = false) {
    auto added = registry->add(
        std::make_shared<ProbeTool>(std::move(name), tier, log, rendezvous, wait_for_stop));
    if (!added) throw std::runtime_error(added.error().message);
  }

  TurnResult run(Conversation& conversation, std::string text, TurnControl& control) {
    Agent agent(AgentOptions{provider, registry, audit, limits, "be brief", counters});
    return agent.run_turn(conversation, std::move(text), control,
                          [this](const gateway_rpc::TurnEvent& e) {
                            std::lock_guard lock(events_mu);
                            events.push_back(e);
                          });
  }
  TurnResult run(Conversation& conversation, std::string text) {
    TurnControl control;
    return run(conversation, std::move(text), control);
  }

  std::vector<gateway_rpc::TurnEvent> of_kind(gateway_rpc::TurnEventKind kind) {
    std::lock_guard lock(events_mu);
    std::vector<gateway_rpc::TurnEvent> out;
    for (const auto& e : events)
      if (e.kind == kind) out.push_back(e);
    return out;
  }
};

}  // namespace oxydra::runtime::testing
