// Arbitrary bytes through the SSE parser and both API stream decoders, with
// fuzzer-chosen slice sizes; limits must hold and nothing may crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oxydra/provider/chat.h"
#include "oxydra/provider/sse_parser.h"
#include "oxydra/provider/stream_decoder.h"

namespace {

constexpr oxydra::provider::SseLimits kLimits{4096, 16384};

void run(oxydra::provider::ApiKind api, std::size_t stride, std::string_view input) {
  oxydra::provider::SseParser parser(kLimits);
  auto decoder = oxydra::provider::make_stream_decoder(api);
  oxydra::provider::ResponseAssembler assembler;
  const oxydra::provider::ChatEventHandler emit = [&](const oxydra::provider::ChatEvent& event) {
    assembler.apply(event);
  };
  while (!input.empty()) {
    const std::size_t n = std::min(stride, input.size());
    if (!parser.feed(input.substr(0, n))) return;
    input.remove_prefix(n);
    if (parser.pending_bytes() > kLimits.max_line_bytes + kLimits.max_event_bytes + 2) {
      __builtin_trap();
    }
    while (auto event = parser.next()) {
      if (!decoder->on_event(*event, emit)) return;
    }
  }
  parser.finish();
  while (auto event = parser.next()) {
    if (!decoder->on_event(*event, emit)) return;
  }
  (void)decoder->finish(emit);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t stride = 1 + data[0] % 128;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  run(oxydra::provider::ApiKind::openai_chat, stride, input);
  run(oxydra::provider::ApiKind::anthropic, stride, input);
  return 0;
}
