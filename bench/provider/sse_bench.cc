// SSE parse throughput on a realistic OpenAI chat completion stream, fed in
// slices the size of typical socket reads.

#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "oxydra/provider/stream_decoder.h"

namespace oxydra::provider {
namespace {

// ~2,000 chunks of one token each, as gpt-4o sends them (usage: null, etc.).
const std::string& openai_stream() {
  static const std::string stream = [] {
    static const char* kWords[] = {" the",  " quick",  " brown", " fox", " jumps", " over", " a",
                                   " lazy", " dog",    ",",      " and", " then",  " runs", " into",
                                   " the",  " forest", ".",      "\n\n", " It",    " was"};
    std::string out;
    for (int i = 0; i < 2000; ++i) {
      nlohmann::json chunk = {{"id", "chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012"},
                              {"object", "chat.completion.chunk"},
                              {"created", 1731000000},
                              {"model", "gpt-4o-2024-08-06"},
                              {"system_fingerprint", "fp_45c6de4934"},
                              {"choices",
                               {{{"index", 0},
                                 {"delta", {{"content", kWords[i % 20]}}},
                                 {"logprobs", nullptr},
                                 {"finish_reason", nullptr}}}},
                              {"usage", nullptr}};
      out += "data: " + chunk.dump() + "\n\n";
    }
    out += "data: [DONE]\n\n";
    return out;
  }();
  return stream;
}

void BM_SseParse(benchmark::State& state) {
  const std::string& stream = openai_stream();
  const auto slice = static_cast<std::size_t>(state.range(0));
  std::size_t events = 0;
  for (auto _ : state) {
    SseParser parser;
    for (std::size_t at = 0; at < stream.size(); at += slice) {
      if (!parser.feed(std::string_view(stream).substr(at, slice))) state.SkipWithError("feed");
      while (auto event = parser.next()) {
        benchmark::DoNotOptimize(event->data.data());
        ++events;
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
  state.counters["events"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SseParse)->Arg(1024)->Arg(16384);

// The whole streaming path minus the network: SSE + JSON + event assembly.
void BM_SseParseAndDecodeOpenAi(benchmark::State& state) {
  const std::string& stream = openai_stream();
  const std::size_t slice = 16384;
  for (auto _ : state) {
    SseParser parser;
    auto decoder = make_stream_decoder(ApiKind::openai_chat);
    ResponseAssembler assembler;
    const ChatEventHandler emit = [&](const ChatEvent& event) { assembler.apply(event); };
    for (std::size_t at = 0; at < stream.size(); at += slice) {
      if (!parser.feed(std::string_view(stream).substr(at, slice))) state.SkipWithError("feed");
      while (auto event = parser.next())
        if (!decoder->on_event(*event, emit)) state.SkipWithError("decode");
    }
    ChatResponse response = std::move(assembler).finish();
    benchmark::DoNotOptimize(response.text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_SseParseAndDecodeOpenAi);

}  // namespace
}  // namespace oxydra::provider
