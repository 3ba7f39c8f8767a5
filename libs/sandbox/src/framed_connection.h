#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "deadline.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"
#include "oxydra/types/frame.h"
#include "oxydra/types/message.h"

namespace oxydra::sandbox {

// Moves framed messages (protocol.md §1, §2) over one connected non-blocking
// stream socket. Any number of writers, one reader.
class FramedConnection {
 public:
  FramedConnection(sys::UniqueFd fd, std::string peer, std::size_t max_frame_bytes);
  FramedConnection(const FramedConnection&) = delete;
  FramedConnection& operator=(const FramedConnection&) = delete;

  // Writes already-framed bytes whole, or fails. `written` tells how far it got,
  // so a caller knows whether the peer can have seen any of it.
  Result<void> write(std::string_view bytes, Clock::time_point deadline, std::size_t& written);

  // The next message. Blocks until one arrives, the peer closes, or shutdown().
  // Frames that are not valid messages are logged and skipped. Error codes:
  // connection_closed, sidecar_protocol_error (oversized frame), io.
  Result<Message> read();

  // Wakes a blocked read() or write(); both fail from then on. Thread-safe.
  void shutdown();

  const std::string& peer() const { return peer_; }

 private:
  sys::UniqueFd fd_;
  std::string peer_;
  std::mutex write_mu_;
  FrameDecoder decoder_;
  std::vector<char> buffer_;
};

}  // namespace oxydra::sandbox
