#pragma once

#include <memory>

#include "oxydra/provider/cancel.h"
#include "oxydra/provider/chat.h"
#include "oxydra/provider/settings.h"
#include "oxydra/types/error.h"

namespace oxydra::provider {

// An LLM chat API. Implementations are safe to call from several threads at
// once (each call is its own HTTP request).
//
// Errors are one line, "POST <url>: <what>", and never contain the API key.
// Codes: `cancelled`, `request_timeout`, `idle_timeout`, `connection_failed`,
// `http_error` (non-2xx; the message has the status and the API's own error
// message), `invalid_response`, `provider_error`, `provider_unavailable`,
// `invalid_request` (the request could not be encoded).
class Provider {
 public:
  virtual ~Provider() = default;

  // Streams the reply: `on_event` runs on the calling thread as increments
  // arrive; an exception it throws aborts the transfer and propagates. Failed
  // attempts are retried only while nothing has been delivered to `on_event`.
  virtual Result<ChatResponse> stream_chat(const ChatRequest& request,
                                           const ChatEventHandler& on_event,
                                           const CancelToken& cancel) = 0;

  // One non-streamed request and response.
  virtual Result<ChatResponse> chat(const ChatRequest& request, const CancelToken& cancel) = 0;
};

// Fails with `invalid_request` for an unusable base URL or an empty model.
Result<std::unique_ptr<Provider>> make_provider(ProviderSettings settings);

}  // namespace oxydra::provider
