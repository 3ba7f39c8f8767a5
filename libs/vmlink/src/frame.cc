#include "oxydra/vmlink/frame.h"

namespace oxydra::vmlink {

namespace {

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

bool known_kind(std::uint8_t kind) {
  return kind >= static_cast<std::uint8_t>(FrameKind::hello) &&
         kind <= static_cast<std::uint8_t>(FrameKind::shutdown);
}

}  // namespace

void append_frame(std::string& out, std::uint32_t channel, FrameKind kind,
                  std::string_view payload) {
  put_u32(out, channel);
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  out.push_back(static_cast<char>(kind));
  out.append(payload);
}

std::string credit_payload(std::uint32_t bytes) {
  std::string out;
  put_u32(out, bytes);
  return out;
}

std::optional<std::uint32_t> parse_credit(std::string_view payload) {
  if (payload.size() != 4) return std::nullopt;
  return get_u32(payload.data());
}

std::optional<Frame> FrameDecoder::next() {
  if (!error_.empty() || buffered() < kHeaderSize) return std::nullopt;
  const char* head = buffer_.data() + offset_;
  const std::uint32_t length = get_u32(head + 4);
  const auto kind = static_cast<std::uint8_t>(head[8]);
  if (!known_kind(kind)) {
    error_ = "unknown frame kind " + std::to_string(kind);
    return std::nullopt;
  }
  if (length > kMaxPayload) {
    error_ = "frame of " + std::to_string(length) + " bytes (at most " +
             std::to_string(kMaxPayload) + ")";
    return std::nullopt;
  }
  if (buffered() < kHeaderSize + length) return std::nullopt;
  Frame frame;
  frame.channel = get_u32(head);
  frame.kind = static_cast<FrameKind>(kind);
  frame.payload.assign(head + kHeaderSize, length);
  offset_ += kHeaderSize + length;
  // Compact once the consumed prefix dominates, so the buffer stays small.
  if (offset_ > std::size_t{64} * 1024 && offset_ * 2 > buffer_.size()) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  return frame;
}

}  // namespace oxydra::vmlink
