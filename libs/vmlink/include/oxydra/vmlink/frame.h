#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oxydra::vmlink {

// One frame of the VM link (docs/protocol.md, "The VM link"): a 9-byte
// header — channel (u32, big-endian), payload length (u32, big-endian), kind
// (u8) — then the payload. Channel 0 is the link itself (hello, shutdown).
enum class FrameKind : std::uint8_t {
  hello = 1,     // channel 0; payload: the sender's description (kernel version)
  open = 2,      // a new channel to the named service; payload: the name
  data = 3,      // bytes of an open channel
  eof = 4,       // the sender will send no more data on the channel
  reset = 5,     // the channel is gone (refused, failed or closed); payload: why
  credit = 6,    // payload: u32, bytes the sender has consumed (flow control)
  shutdown = 7,  // channel 0, host to guest: stop the guest's program cleanly
};

inline constexpr std::size_t kHeaderSize = 9;
inline constexpr std::uint32_t kMaxPayload = 64 * 1024;
// Bytes one side may send on a channel before the other returns credit.
inline constexpr std::uint32_t kWindow = 256 * 1024;
inline constexpr std::size_t kMaxServiceName = 64;

struct Frame {
  std::uint32_t channel = 0;
  FrameKind kind = FrameKind::data;
  std::string payload;
};

// Appends the encoded frame to `out`.
void append_frame(std::string& out, std::uint32_t channel, FrameKind kind,
                  std::string_view payload = {});
std::string credit_payload(std::uint32_t bytes);
std::optional<std::uint32_t> parse_credit(std::string_view payload);

// Splits a byte stream into frames. A malformed header (unknown kind, a
// payload over kMaxPayload) stops it for good: the stream cannot be
// resynchronized, so the link ends.
class FrameDecoder {
 public:
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete frame, nullopt when more bytes are needed or on error.
  std::optional<Frame> next();
  const std::string& error() const { return error_; }
  std::size_t buffered() const { return buffer_.size() - offset_; }

 private:
  std::string buffer_;
  std::size_t offset_ = 0;
  std::string error_;
};

}  // namespace oxydra::vmlink
