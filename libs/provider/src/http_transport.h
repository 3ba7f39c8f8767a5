#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/provider/cancel.h"
#include "oxydra/types/error.h"

namespace oxydra::provider {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;           // "Name: value"
  std::string body;                           // sent as POST
  std::chrono::milliseconds timeout{0};       // the whole exchange; 0: none
  std::chrono::milliseconds idle_timeout{0};  // no bytes received for this long; 0: none
  std::string proxy_socket;                   // SOCKS5 over this Unix socket; "" = direct
};

struct HttpResponse {
  long status = 0;
  std::string content_type;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string error_body;  // the start of a non-2xx body (the API's error)
};

// Receives a 2xx body as it arrives; `head` has status and content type. An
// error aborts the transfer and is what http_post returns.
using BodySink = std::function<Result<void>(const HttpResponse& head, std::string_view chunk)>;

// One POST over libcurl. Errors (messages without the URL; the caller adds it):
// `cancelled`, `request_timeout`, `idle_timeout`, `connection_failed`, or the
// sink's. A non-2xx status is not an error here. Exceptions thrown by the sink
// abort the transfer and propagate.
Result<HttpResponse> http_post(const HttpRequest& request, const BodySink& sink,
                               const CancelToken& cancel);

}  // namespace oxydra::provider
