#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra {

// Default maximum payload sizes per channel (protocol.md §1).
inline constexpr std::size_t kBootstrapMaxFrame = 1u << 20;
inline constexpr std::size_t kShellMaxFrame = 8u << 20;
inline constexpr std::size_t kControlMaxRequestFrame = 128u << 10;
inline constexpr std::size_t kControlMaxResponseFrame = 1u << 20;
inline constexpr std::size_t kGatewayMaxFrame = 8u << 20;

inline constexpr std::size_t kFramePrefixBytes = 4;

// Prepends the 4-byte big-endian length to `payload`.
std::string encode_frame(std::string_view payload);
void append_frame(std::string& out, std::string_view payload);

// One decoded frame or a typed decoding error.
struct FrameEvent {
  enum class Kind { frame, zero_length, too_large };
  Kind kind;
  std::string payload;          // set for Kind::frame
  std::uint32_t announced = 0;  // the length prefix, for errors
};

// Pure, incremental frame decoder: feed any byte slices, pull complete frames.
// `too_large` is decided from the 4-byte prefix alone and is terminal: the
// decoder stops consuming input, and the payload is never buffered.
// `zero_length` is reported and decoding continues with the next frame.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_frame_bytes);

  // Consumes bytes; never buffers more than one prefix plus one permitted payload.
  void feed(std::string_view bytes);

  // The next complete frame or error, or nullopt when more bytes are needed.
  std::optional<FrameEvent> next();

  // True after a too_large error: the connection must be closed.
  bool failed() const { return failed_; }
  // Bytes of an incomplete frame held (for "truncated stream" detection at EOF).
  std::size_t pending_bytes() const { return prefix_len_ + payload_.size(); }
  std::size_t max_frame_bytes() const { return max_frame_bytes_; }

 private:
  void on_prefix_complete();

  std::size_t max_frame_bytes_;
  unsigned char prefix_[kFramePrefixBytes] = {};
  std::size_t prefix_len_ = 0;
  std::uint32_t length_ = 0;
  std::string payload_;
  std::deque<FrameEvent> ready_;
  bool failed_ = false;
};

}  // namespace oxydra
