#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/provider/chat.h"
#include "oxydra/provider/settings.h"
#include "oxydra/provider/stream_decoder.h"
#include "oxydra/types/error.h"

namespace oxydra::provider {

// One API's wire format: where to send, which headers, how to encode a request
// and decode a whole (non-streamed) response. Streams use its StreamDecoder.
class ApiFormat {
 public:
  virtual ~ApiFormat() = default;

  virtual std::string endpoint(std::string_view base_url) const = 0;
  // Authentication and versioning headers ("Name: value").
  virtual std::vector<std::string> headers(const ProviderSettings& settings) const = 0;
  // `invalid_request` when a tool schema is not a JSON object.
  virtual Result<std::string> encode_request(const ChatRequest& request,
                                             const ProviderSettings& settings,
                                             bool stream) const = 0;
  virtual Result<ChatResponse> decode_response(std::string_view body) const = 0;
};

std::unique_ptr<ApiFormat> make_openai_format();
std::unique_ptr<ApiFormat> make_anthropic_format();
std::unique_ptr<StreamDecoder> make_openai_stream_decoder();
std::unique_ptr<StreamDecoder> make_anthropic_stream_decoder();

// Each API's stop reason vocabulary mapped to the neutral one.
StopReason openai_stop_reason(std::string_view finish_reason);
StopReason anthropic_stop_reason(std::string_view stop_reason);

// Reports a decoded whole response as the events a stream would have produced
// (for servers that answer a streaming request with plain JSON).
void emit_response_events(const ChatResponse& response, const ChatEventHandler& emit);

// A reply with tool calls ended for tool use, whatever the server called it
// (some OpenAI-compatible servers report "stop").
void normalize_stop_reason(ChatResponse& response);

}  // namespace oxydra::provider
