#include "http_transport.h"

#include <curl/curl.h>

#include <exception>
#include <memory>
#include <mutex>

#include "oxydra/provider/retry.h"

namespace oxydra::provider {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The transfer runs on a multi handle so this loop can look at the cancel
// token and the idle clock every kPollInterval, whatever libcurl waits for (its
// progress callback slows to about once a second while a stream is silent).
constexpr milliseconds kPollInterval{25};
constexpr std::size_t kMaxErrorBody = 64u << 10;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  CURL* easy = nullptr;
  const BodySink* sink = nullptr;
  HttpResponse response;
  bool head_known = false;
  std::optional<Error> sink_error;
  std::exception_ptr exception;
  Clock::time_point last_activity = Clock::now();
};

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = line[i];
    if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != name[i]) return false;
  }
  return true;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  transfer->last_activity = Clock::now();
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    transfer->response.retry_after.reset();  // a new response (after 100 or a redirect)
  } else if (header_is(line, "retry-after-ms")) {
    // OpenAI's finer-grained variant; the parser reads the number as seconds.
    if (auto scaled = parse_retry_after(line.substr(15)))
      transfer->response.retry_after = milliseconds(scaled->count() / 1000);
  } else if (header_is(line, "retry-after") && !transfer->response.retry_after) {
    transfer->response.retry_after = parse_retry_after(line.substr(12));
  }
  return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  transfer->last_activity = Clock::now();
  if (length == 0) return 0;
  HttpResponse& response = transfer->response;
  if (!transfer->head_known) {
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &response.status);
    char* content_type = nullptr;
    curl_easy_getinfo(transfer->easy, CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type) response.content_type = content_type;
    transfer->head_known = true;
  }
  const std::string_view chunk(data, length);
  if (response.status < 200 || response.status > 299) {
    if (response.error_body.size() < kMaxErrorBody)
      response.error_body.append(chunk.substr(0, kMaxErrorBody - response.error_body.size()));
    return length;
  }
  // Nothing may unwind through libcurl's C frames: errors and exceptions are
  // parked and the transfer aborted by returning a short count.
  try {
    auto accepted = (*transfer->sink)(response, chunk);
    if (!accepted) {
      transfer->sink_error = std::move(accepted.error());
      return 0;
    }
  } catch (...) {
    transfer->exception = std::current_exception();
    return 0;
  }
  return length;
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// Keeps the easy handle attached to the multi handle for the loop's lifetime.
class Attached {
 public:
  Attached(CURLM* multi, CURL* easy) : multi_(multi), easy_(easy) {
    curl_multi_add_handle(multi_, easy_);
  }
  ~Attached() { curl_multi_remove_handle(multi_, easy_); }
  Attached(const Attached&) = delete;
  Attached& operator=(const Attached&) = delete;

 private:
  CURLM* multi_;
  CURL* easy_;
};

Result<CURLcode> run(CURLM* multi, Transfer& transfer, const HttpRequest& request,
                     const CancelToken& cancel) {
  for (;;) {
    int running = 0;
    const CURLMcode performed = curl_multi_perform(multi, &running);
    if (performed != CURLM_OK)
      return fail(ErrorCode::connection_failed, curl_multi_strerror(performed));
    if (running == 0 || transfer.sink_error || transfer.exception) break;
    if (cancel.cancelled()) return fail(ErrorCode::cancelled, "cancelled");
    const auto idle = Clock::now() - transfer.last_activity;
    if (request.idle_timeout.count() > 0 && idle > request.idle_timeout)
      return fail(ErrorCode::idle_timeout, "no data for " +
                                               std::to_string(request.idle_timeout.count()) +
                                               " ms (idle-stream timeout)");
    const CURLMcode polled =
        curl_multi_poll(multi, nullptr, 0, static_cast<int>(kPollInterval.count()), nullptr);
    if (polled != CURLM_OK) return fail(ErrorCode::connection_failed, curl_multi_strerror(polled));
  }
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &queued))
    if (message->msg == CURLMSG_DONE) return message->data.result;
  return CURLE_OK;
}

}  // namespace

Result<HttpResponse> http_post(const HttpRequest& request, const BodySink& sink,
                               const CancelToken& cancel) {
  if (cancel.cancelled()) return fail(ErrorCode::cancelled, "cancelled");
  global_init();
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  if (!easy || !multi) return fail(ErrorCode::connection_failed, "cannot initialise libcurl");

  curl_slist* raw_headers = nullptr;
  for (const std::string& header : request.headers)
    raw_headers = curl_slist_append(raw_headers, header.c_str());
  // No "Expect: 100-continue" round trip for large request bodies.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);

  Transfer transfer;
  transfer.easy = easy.get();
  transfer.sink = &sink;
  char error_buffer[CURL_ERROR_SIZE] = {};

  CURL* handle = easy.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  // libcurl reads a SOCKS proxy's Unix socket from the URL's path (7.84+);
  // socks5h: the proxy resolves names, so the guest needs no DNS of its own.
  const std::string proxy =
      request.proxy_socket.empty() ? std::string() : "socks5h://localhost" + request.proxy_socket;
  curl_easy_setopt(handle, CURLOPT_PROXY, proxy.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_POST, 1L);
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "oxydra/0.1");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  if (request.timeout.count() > 0)
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));

  Result<CURLcode> code;
  {
    Attached attached(multi.get(), handle);
    code = run(multi.get(), transfer, request, cancel);
  }
  if (transfer.exception) std::rethrow_exception(transfer.exception);
  if (transfer.sink_error) return tl::unexpected(std::move(*transfer.sink_error));
  if (!code) return tl::unexpected(code.error());

  switch (*code) {
    case CURLE_OK:
      break;
    case CURLE_OPERATION_TIMEDOUT:
      return fail(ErrorCode::request_timeout,
                  request.timeout.count() > 0
                      ? "timed out after " + std::to_string(request.timeout.count()) + " ms"
                      : std::string("timed out"));
    default:
      return fail(ErrorCode::connection_failed,
                  error_buffer[0] ? error_buffer : curl_easy_strerror(*code));
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  if (transfer.response.content_type.empty()) {
    char* content_type = nullptr;
    curl_easy_getinfo(handle, CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type) transfer.response.content_type = content_type;
  }
  return std::move(transfer.response);
}

}  // namespace oxydra::provider
