// Runtime overhead per turn, excluding provider and tool time: full turns
// through runtime::Agent against a provider that answers at once, next to the
// bare provider call and the bare tool call they contain.
//
//   overhead(text turn) = BM_Turn/text - BM_BareProviderCall
//   overhead(tool turn) = BM_Turn/tool - 2 * BM_BareProviderCall - BM_BareToolCall

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "instant_provider.h"
#include "oxydra/runtime/agent.h"

namespace oxydra::bench {
namespace {

class NoopTool final : public tools::Tool {
 public:
  NoopTool()
      : Tool("noop", "does nothing",
             tools::ArgSchema({{.name = "x", .type = tools::ArgType::string}}),
             tools::SafetyTier::read_only) {}

 protected:
  Result<tools::ToolOutput> run(const nlohmann::json&, const tools::ToolContext&) override {
    return tools::ToolOutput::success("ok");
  }
};

// A private directory for the store and audit log, removed at exit.
struct Scratch {
  std::string dir;
  Scratch() {
    char tmpl[] = "/tmp/oxy-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~Scratch() { (void)!std::system(("rm -rf " + dir).c_str()); }
};

enum Variant { kText = 0, kTextStore = 1, kTool = 2, kToolStore = 3, kToolStoreSync = 4 };

void BM_BareProviderCall(benchmark::State& state) {
  InstantProvider provider;
  provider::ChatRequest request;
  request.messages = {provider::ChatMessage::system("be brief"),
                      provider::ChatMessage::user("hello")};
  provider::CancelToken cancel;
  for (auto _ : state) {
    auto response = provider.stream_chat(
        request, [](const provider::ChatEvent&) {}, cancel);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_BareProviderCall);

void BM_BareToolCall(benchmark::State& state) {
  tools::Registry registry;
  (void)registry.add(std::make_shared<NoopTool>());
  tools::ToolContext ctx;
  for (auto _ : state) {
    auto output = registry.call_text("noop", R"({"x":"y"})", ctx);
    benchmark::DoNotOptimize(output);
  }
}
BENCHMARK(BM_BareToolCall);

void BM_Turn(benchmark::State& state) {
  const auto variant = static_cast<Variant>(state.range(0));
  const bool with_tool = variant >= kTool;
  const bool with_store = variant == kTextStore || variant >= kToolStore;
  Scratch scratch;
  auto provider = std::make_shared<InstantProvider>("noop");
  auto registry = std::make_shared<tools::Registry>();
  (void)registry->add(std::make_shared<NoopTool>());
  std::shared_ptr<memory::Store> store;
  std::shared_ptr<memory::AuditLog> audit;
  if (with_store) {
    store = std::make_shared<memory::Store>(std::move(*memory::Store::open(scratch.dir + "/m.db")));
    audit = std::make_shared<memory::AuditLog>(std::move(*memory::AuditLog::open(
        scratch.dir + "/audit.jsonl", {.sync = variant == kToolStoreSync})));
  }
  runtime::TurnLimits limits;
  runtime::Agent agent(
      {provider, registry, audit, limits, "be brief", std::make_shared<runtime::AgentCounters>()});
  const runtime::TurnEventSink sink = [](const gateway_rpc::TurnEvent& e) {
    benchmark::DoNotOptimize(&e);
  };

  // A conversation of up to 16 turns, as a session would have; starting a new
  // one is not part of a turn.
  std::unique_ptr<runtime::Conversation> conversation;
  int turns = 0;
  auto fresh = [&] {
    if (store) {
      const auto id = store->create_session()->id;
      conversation = std::make_unique<runtime::Conversation>(
          std::move(*runtime::Conversation::resume(store, id)));
    } else {
      conversation = std::make_unique<runtime::Conversation>("bench");
    }
    turns = 0;
  };
  fresh();
  for (auto _ : state) {
    if (turns++ == 16) {
      state.PauseTiming();
      fresh();
      state.ResumeTiming();
    }
    provider->tool_calls_left = with_tool ? 1 : 0;
    runtime::TurnControl control;
    auto result = agent.run_turn(*conversation, "hello there", control, sink);
    if (result.stop_reason != "completed") state.SkipWithError(result.stop_reason.c_str());
  }
}
BENCHMARK(BM_Turn)
    ->ArgName("variant")  // 0 text, 1 text+store, 2 tool, 3 tool+store+audit, 4 ... +fdatasync
    ->DenseRange(kText, kToolStoreSync)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace oxydra::bench
