// The one Provider implementation: an ApiFormat over the libcurl transport,
// with retries, streaming and error reporting shared by every API.

#include <algorithm>
#include <cctype>
#include <random>

#include "api_format.h"
#include "http_transport.h"
#include "json_util.h"
#include "oxydra/provider/provider.h"
#include "oxydra/provider/retry.h"

namespace oxydra::provider {
namespace {

using std::chrono::milliseconds;

struct Attempt {
  Result<ChatResponse> result;
  bool retryable = false;
  std::optional<milliseconds> retry_after;
};

Attempt failed(Error error, bool retryable = false,
               std::optional<milliseconds> retry_after = std::nullopt) {
  return Attempt{tl::unexpected(std::move(error)), retryable, retry_after};
}

Attempt completed(Result<ChatResponse> result) {
  return Attempt{std::move(result), false, {}};
}

double unit_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

bool is_json(std::string_view content_type) {
  constexpr std::string_view kJson = "application/json";
  if (content_type.size() < kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(content_type[i])) != kJson[i]) return false;
  return true;
}

// "https://user:pass@host/x" -> "https://host/x": credentials never reach a message.
std::string display_url(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t authority = scheme + 3;
  const std::size_t path = url.find('/', authority);
  const std::size_t at = url.substr(0, path).rfind('@');
  if (at == std::string_view::npos || at < authority) return std::string(url);
  return std::string(url.substr(0, authority)) + std::string(url.substr(at + 1));
}

void redact(std::string& text, const std::string& secret) {
  if (secret.size() < 4) return;  // too short to be a real key; would garble the text
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 10))
    text.replace(at, secret.size(), "[redacted]");
}

// A transport failure or a non-2xx status as a (possibly retryable) failure.
Attempt classify(Result<HttpResponse> http, bool delivered) {
  if (!http) {
    const ErrorCode code = http.error().code;
    const bool transient = code == ErrorCode::connection_failed ||
                           code == ErrorCode::idle_timeout ||
                           code == ErrorCode::provider_unavailable;
    return failed(std::move(http.error()), transient && !delivered);
  }
  std::string message = "HTTP " + std::to_string(http->status);
  if (!http->error_body.empty()) message += ": " + api_error_message(http->error_body);
  return failed(Error{ErrorCode::http_error, std::move(message)}, is_retryable_status(http->status),
                http->retry_after);
}

bool is_success(const Result<HttpResponse>& http) {
  return http && http->status >= 200 && http->status <= 299;
}

class HttpProvider final : public Provider {
 public:
  HttpProvider(ProviderSettings settings, std::unique_ptr<ApiFormat> format)
      : settings_(std::move(settings)),
        format_(std::move(format)),
        url_(format_->endpoint(settings_.base_url)),
        shown_url_(display_url(url_)) {}

  Result<ChatResponse> stream_chat(const ChatRequest& request, const ChatEventHandler& on_event,
                                   const CancelToken& cancel) override {
    return run(request, &on_event, cancel);
  }

  Result<ChatResponse> chat(const ChatRequest& request, const CancelToken& cancel) override {
    return run(request, nullptr, cancel);
  }

 private:
  Result<ChatResponse> run(const ChatRequest& request, const ChatEventHandler* on_event,
                           const CancelToken& cancel) {
    const bool stream = on_event != nullptr;
    auto body = format_->encode_request(request, settings_, stream);
    if (!body) return tl::unexpected(describe(std::move(body.error())));
    const HttpRequest http = build(std::move(*body), stream);

    const int max_attempts = std::max(1, settings_.retry.max_attempts);
    for (int attempt = 1;; ++attempt) {
      Attempt outcome = stream ? send_streaming(http, *on_event, cancel) : send_whole(http, cancel);
      if (outcome.result) return std::move(outcome.result);
      Error error = std::move(outcome.result.error());
      if (!outcome.retryable || attempt >= max_attempts) {
        if (outcome.retryable && attempt > 1)
          error.message += " (gave up after " + std::to_string(attempt) + " attempts)";
        return tl::unexpected(describe(std::move(error)));
      }
      const milliseconds delay =
          retry_delay(settings_.retry, attempt + 1, outcome.retry_after, unit_random());
      if (cancel.wait_for(delay))
        return tl::unexpected(describe(Error{ErrorCode::cancelled, "cancelled"}));
    }
  }

  HttpRequest build(std::string body, bool stream) const {
    HttpRequest http;
    http.url = url_;
    http.proxy_socket = settings_.proxy_socket;
    http.body = std::move(body);
    http.timeout = settings_.request_timeout;
    // A whole response arrives only when complete, so silence is expected there.
    if (stream) http.idle_timeout = settings_.idle_timeout;
    http.headers = {"Content-Type: application/json",
                    stream ? "Accept: text/event-stream" : "Accept: application/json"};
    for (std::string& header : format_->headers(settings_))
      http.headers.push_back(std::move(header));
    for (const auto& [name, value] : settings_.extra_headers)
      http.headers.push_back(name + ": " + value);
    return http;
  }

  Attempt send_whole(const HttpRequest& http, const CancelToken& cancel) const {
    std::string body;
    const BodySink sink = [&](const HttpResponse&, std::string_view chunk) -> Result<void> {
      if (body.size() + chunk.size() > settings_.max_response_bytes)
        return fail(ErrorCode::invalid_response,
                    "response exceeds " + std::to_string(settings_.max_response_bytes) + " bytes");
      body.append(chunk);
      return {};
    };
    auto response = http_post(http, sink, cancel);
    if (!is_success(response)) return classify(std::move(response), false);
    return completed(format_->decode_response(body));
  }

  Attempt send_streaming(const HttpRequest& http, const ChatEventHandler& on_event,
                         const CancelToken& cancel) const {
    SseParser parser(SseLimits{settings_.max_response_bytes, settings_.max_response_bytes});
    auto decoder = make_stream_decoder(settings_.api);
    ResponseAssembler assembler;
    bool delivered = false;
    std::string json_body;  // a server that ignored `stream: true`
    const ChatEventHandler emit = [&](const ChatEvent& event) {
      assembler.apply(event);
      delivered = true;
      on_event(event);
    };
    auto drain = [&]() -> Result<void> {
      while (auto event = parser.next())
        if (auto handled = decoder->on_event(*event, emit); !handled) return handled;
      return {};
    };
    const BodySink sink = [&](const HttpResponse& head, std::string_view chunk) -> Result<void> {
      if (is_json(head.content_type)) {
        if (json_body.size() + chunk.size() > settings_.max_response_bytes)
          return fail(ErrorCode::invalid_response, "response too large");
        json_body.append(chunk);
        return {};
      }
      auto fed = parser.feed(chunk);
      if (auto drained = drain(); !drained) return drained;  // events before a bad line count
      return fed;
    };

    auto response = http_post(http, sink, cancel);
    if (!is_success(response)) return classify(std::move(response), delivered);
    if (!json_body.empty()) {
      auto decoded = format_->decode_response(json_body);
      if (!decoded) return failed(std::move(decoded.error()));
      emit_response_events(*decoded, emit);
      return completed(std::move(decoded));
    }
    parser.finish();
    if (auto drained = drain(); !drained)
      return classify(tl::unexpected(drained.error()), delivered);
    if (auto finished = decoder->finish(emit); !finished) return failed(finished.error());
    return completed(std::move(assembler).finish());
  }

  Error describe(Error error) const {
    error.message = "POST " + shown_url_ + ": " + error.message;
    redact(error.message, settings_.api_key);
    return error;
  }

  ProviderSettings settings_;
  std::unique_ptr<ApiFormat> format_;
  std::string url_;
  std::string shown_url_;
};

}  // namespace

Result<std::unique_ptr<Provider>> make_provider(ProviderSettings settings) {
  while (settings.base_url.ends_with('/'))
    settings.base_url.pop_back();
  if (!settings.base_url.starts_with("http://") && !settings.base_url.starts_with("https://"))
    return fail(ErrorCode::invalid_request,
                "provider base URL must start with http:// or https://, got '" +
                    display_url(settings.base_url) + "'");
  if (settings.model.empty()) return fail(ErrorCode::invalid_request, "provider model is empty");
  auto format = settings.api == ApiKind::anthropic ? make_anthropic_format() : make_openai_format();
  return std::make_unique<HttpProvider>(std::move(settings), std::move(format));
}

}  // namespace oxydra::provider
