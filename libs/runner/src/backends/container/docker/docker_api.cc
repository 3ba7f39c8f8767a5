#include "backends/container/docker/docker_api.h"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>
#include <mutex>

namespace oxydra::runner {

namespace {

constexpr std::string_view kUnixScheme = "unix://";
constexpr const char* kDefaultSocket = "/var/run/docker.sock";
constexpr const char* kApiPrefix = "http://docker/v1.41";

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::string call_name(std::string_view method, std::string_view path) {
  return docker_call_name(method, path);
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

struct StreamState {
  const std::function<void(std::string_view)>* on_data;
  const std::atomic<bool>* cancel;
};

std::size_t stream_body(char* data, std::size_t size, std::size_t count, void* target) {
  auto* state = static_cast<StreamState*>(target);
  if (*state->cancel) return 0;
  (*state->on_data)(std::string_view(data, size * count));
  return size * count;
}

int stream_progress(void* target, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return *static_cast<StreamState*>(target)->cancel ? 1 : 0;
}

Result<std::unique_ptr<CURL, EasyDeleter>> easy(const std::string& socket, std::string_view method,
                                                std::string_view path) {
  init_curl();
  std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
  if (!handle) return fail(ErrorCode::io, call_name(method, path) + ": curl_easy_init failed");
  const std::string url = kApiPrefix + std::string(path);
  curl_easy_setopt(handle.get(), CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(handle.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle.get(), CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  curl_easy_setopt(handle.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle.get(), CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  return handle;
}

Error unreachable(const std::string& socket, std::string_view method, std::string_view path,
                  CURLcode code) {
  std::string what = curl_easy_strerror(code);
  if (code == CURLE_COULDNT_CONNECT) {
    return Error{ErrorCode::docker_unavailable,
                 call_name(method, path) + ": no Docker daemon answers at unix://" + socket + " (" +
                     what + "); start one (scripts/dockerd start) or set [container] docker_host"};
  }
  return Error{ErrorCode::docker_unavailable,
               call_name(method, path) + ": unix://" + socket + ": " + what};
}

}  // namespace

Result<std::string> docker_socket_path(const std::string& configured) {
  if (!configured.empty()) {
    if (configured.rfind(kUnixScheme, 0) != 0 || configured.size() == kUnixScheme.size()) {
      return fail(ErrorCode::invalid_config,
                  "[container] docker_host " + configured +
                      " must be unix://PATH (only Unix sockets are supported)");
    }
    return configured.substr(kUnixScheme.size());
  }
  const char* env = std::getenv("DOCKER_HOST");
  if (env && *env) {
    const std::string host = env;
    if (host.rfind(kUnixScheme, 0) != 0 || host.size() == kUnixScheme.size()) {
      return fail(ErrorCode::invalid_config,
                  "DOCKER_HOST=" + host +
                      " is not a unix:// socket; the docker driver speaks only to a local "
                      "socket (set DOCKER_HOST=unix://PATH or [container] docker_host)");
    }
    return host.substr(kUnixScheme.size());
  }
  return std::string(kDefaultSocket);
}

Result<DockerResponse> DockerApi::request(std::string_view method, std::string_view path,
                                          const nlohmann::json* body,
                                          std::chrono::milliseconds timeout) const {
  auto handle = easy(socket_, method, path);
  if (!handle) return tl::unexpected(handle.error());
  CURL* curl = handle->get();
  DockerResponse response;
  std::string payload;
  std::unique_ptr<curl_slist, ListDeleter> headers;
  if (body) {
    payload = body->dump();
    headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  } else if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) return tl::unexpected(unreachable(socket_, method, path, code));
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Result<nlohmann::json> DockerApi::call(std::string_view method, std::string_view path,
                                       const nlohmann::json* body,
                                       std::chrono::milliseconds timeout) const {
  auto response = request(method, path, body, timeout);
  if (!response) return tl::unexpected(response.error());
  if (response->status < 200 || response->status >= 300) {
    return tl::unexpected(docker_error(method, path, *response));
  }
  if (response->body.empty()) return nlohmann::json();
  auto parsed = nlohmann::json::parse(response->body, nullptr, false);
  if (parsed.is_discarded()) {
    return fail(ErrorCode::docker_error,
                call_name(method, path) + ": the daemon's answer is not JSON");
  }
  return parsed;
}

Result<void> DockerApi::stream(std::string_view path,
                               const std::function<void(std::string_view)>& on_data,
                               const std::atomic<bool>& cancel) const {
  auto handle = easy(socket_, "GET", path);
  if (!handle) return tl::unexpected(handle.error());
  CURL* curl = handle->get();
  StreamState state{&on_data, &cancel};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, stream_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, stream_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &state);
  const CURLcode code = curl_easy_perform(curl);
  if (cancel) return {};
  if (code != CURLE_OK) return tl::unexpected(unreachable(socket_, "GET", path, code));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) return tl::unexpected(docker_error("GET", path, {status, {}}));
  return {};
}

}  // namespace oxydra::runner
