#pragma once

#include <cstdint>
#include <string_view>

#include <asio/awaitable.hpp>

namespace oxydra::shell_daemon {

enum class StreamKind { out, err };

inline std::string_view stream_name(StreamKind kind) {
  return kind == StreamKind::out ? "stdout" : "stderr";
}

// Where a streaming command's `output` events go.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // Sends one event; suspends while the peer is slow to read (backpressure).
  // Returns at once when the peer is gone or the sink was abandoned.
  virtual asio::awaitable<void> write_output(StreamKind stream, std::string_view data,
                                             std::uint64_t offset) = 0;
  // From now on writes are dropped; a suspended write returns.
  virtual void abandon() = 0;
  // True when the sink takes the raw bytes (base64 on the wire); false when it
  // takes UTF-8 text (invalid sequences replaced).
  virtual bool raw() const { return false; }
};

}  // namespace oxydra::shell_daemon
