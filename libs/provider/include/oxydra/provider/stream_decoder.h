#pragma once

#include <memory>

#include "oxydra/provider/chat.h"
#include "oxydra/provider/settings.h"
#include "oxydra/provider/sse_parser.h"
#include "oxydra/types/error.h"

namespace oxydra::provider {

// Turns one API's stream events into neutral ChatEvents. Pure (no I/O), so it
// is tested, fuzzed and benchmarked together with the SSE parser.
//
// Error codes: `invalid_response` (malformed payload, stream ended early),
// `provider_error` (the API reported an error inside the stream) and
// `provider_unavailable` (the same, for a transient overload: retryable while
// nothing has been delivered).
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;

  virtual Result<void> on_event(const SseEvent& event, const ChatEventHandler& emit) = 0;
  // At end of stream; fails if the stream stopped before its end marker.
  virtual Result<void> finish(const ChatEventHandler& emit) = 0;
  // The end marker ([DONE], message_stop) was seen; later events are ignored.
  virtual bool done() const = 0;
};

std::unique_ptr<StreamDecoder> make_stream_decoder(ApiKind api);

}  // namespace oxydra::provider
