#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"
#include "oxydra/types/frame.h"
#include "oxydra/types/message.h"

namespace oxydra::testlib {

using namespace std::chrono_literals;

// A blocking client for length-prefixed JSON channels (protocol.md §1), with a
// timeout on every call so a broken peer fails a test instead of hanging it.
class FrameClient {
 public:
  // Connects to a Unix socket, retrying until `timeout` (the server may still be starting).
  static Result<FrameClient> connect_unix(const std::string& path,
                                          std::chrono::milliseconds timeout = 10s);
  // Wraps an already-connected stream fd (takes ownership).
  explicit FrameClient(int fd, std::size_t max_frame_bytes = 64u << 20);
  FrameClient(FrameClient&& other) noexcept;
  FrameClient& operator=(FrameClient&& other) noexcept;
  FrameClient(const FrameClient&) = delete;
  FrameClient& operator=(const FrameClient&) = delete;
  ~FrameClient();

  int fd() const { return fd_; }
  void close();

  // Writes bytes as they are (for malformed-frame tests).
  bool send_raw(std::string_view bytes, std::chrono::milliseconds timeout = 10s);
  bool send_payload(std::string_view json_text);  // one frame around `json_text`
  bool send(std::string_view op, const nlohmann::json& payload);

  // The next message (stashed ones first), or nullopt on timeout, EOF or error.
  // A frame that is not a valid message is returned with op "<invalid>".
  std::optional<Message> recv(std::chrono::milliseconds timeout = 10s);
  // The next message whose payload.request_id equals `request_id` and whose op
  // is not "output"; other messages are stashed for later recv calls.
  std::optional<Message> recv_reply(const std::string& request_id,
                                    std::chrono::milliseconds timeout = 30s);
  // send + recv_reply.
  std::optional<Message> request(std::string_view op, const nlohmann::json& payload,
                                 std::chrono::milliseconds timeout = 30s);

  // True once the peer has closed the connection (reads EOF) within `timeout`;
  // frames received meanwhile are stashed.
  bool wait_closed(std::chrono::milliseconds timeout = 10s);
  bool peer_closed() const { return eof_; }

 private:
  std::optional<Message> read_frame(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  FrameDecoder decoder_;
  std::deque<Message> stash_;
  bool eof_ = false;
};

}  // namespace oxydra::testlib
