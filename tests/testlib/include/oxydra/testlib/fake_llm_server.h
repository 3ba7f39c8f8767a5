#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace oxydra::testlib {

// One request as the fake server received it.
struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::chrono::steady_clock::time_point received_at;

  std::string header(std::string_view name) const;  // "" when absent; any case
  bool has_header(std::string_view name) const;
  nlohmann::json json() const;  // the body; a discarded value when it is not JSON
};

// One scripted reply, written to the wire as given.
struct ScriptedResponse {
  enum class Framing {
    chunked,         // Transfer-Encoding: chunked, one HTTP chunk per element of `chunks`
    content_length,  // Content-Length of all chunks, written piece by piece
    close,           // no length: the body ends when the server closes
  };
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Retry-After", "1"}
  std::vector<std::string> chunks;
  std::chrono::milliseconds chunk_delay{0};  // pause before each chunk after the first
  Framing framing = Framing::chunked;
  bool stall = false;            // after the chunks, never finish: hold until the client leaves
  bool cut_off = false;          // after the chunks, close mid-body (a transfer error)
  bool drop_connection = false;  // read the request, then close without answering
};

// A real HTTP/1.1 server on 127.0.0.1 (port 0) that replays scripted LLM API
// responses in order, one per request, and records what it received. With
// nothing left to replay it answers 500. Each connection has its own thread.
class FakeLlmServer {
 public:
  FakeLlmServer();  // throws std::runtime_error when it cannot listen
  ~FakeLlmServer();
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  void enqueue(ScriptedResponse response);

  std::uint16_t port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:<port>"

  std::vector<RecordedRequest> requests() const;
  std::size_t request_count() const;
  // Waits until `count` requests arrived (true) or `timeout` passed.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;
  // Connections that ended (by either side); a cancelled client shows up here.
  std::size_t closed_connections() const;
  bool wait_for_closed_connections(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  void accept_loop();
  void serve(int fd);
  bool next_script(ScriptedResponse& out);

  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};  // readable once the server stops: wakes every poll
  std::uint16_t port_ = 0;
  std::thread acceptor_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<ScriptedResponse> scripts_;
  std::vector<RecordedRequest> requests_;
  std::vector<std::thread> connections_;
  std::size_t closed_ = 0;
};

}  // namespace oxydra::testlib
