#include "oxydra/types/frame.h"

#include <algorithm>

namespace oxydra {

void append_frame(std::string& out, std::string_view payload) {
  const auto n = static_cast<std::uint32_t>(payload.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(payload);
}

std::string encode_frame(std::string_view payload) {
  std::string out;
  out.reserve(kFramePrefixBytes + payload.size());
  append_frame(out, payload);
  return out;
}

FrameDecoder::FrameDecoder(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

void FrameDecoder::feed(std::string_view bytes) {
  while (!bytes.empty() && !failed_) {
    if (prefix_len_ < kFramePrefixBytes) {
      const std::size_t take = std::min(kFramePrefixBytes - prefix_len_, bytes.size());
      std::copy_n(bytes.data(), take, prefix_ + prefix_len_);
      prefix_len_ += take;
      bytes.remove_prefix(take);
      if (prefix_len_ == kFramePrefixBytes) on_prefix_complete();
      continue;
    }
    // Only the bytes this frame still needs: the rest belongs to the next one.
    const std::size_t take = std::min<std::size_t>(length_ - payload_.size(), bytes.size());
    payload_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (payload_.size() == length_) {
      ready_.push_back(FrameEvent{FrameEvent::Kind::frame, std::move(payload_), length_});
      payload_ = std::string();
      prefix_len_ = 0;
    }
  }
}

// Decides the frame's fate from its prefix alone, before any payload is stored.
void FrameDecoder::on_prefix_complete() {
  length_ = (std::uint32_t{prefix_[0]} << 24) | (std::uint32_t{prefix_[1]} << 16) |
            (std::uint32_t{prefix_[2]} << 8) | std::uint32_t{prefix_[3]};
  if (length_ == 0) {
    ready_.push_back(FrameEvent{FrameEvent::Kind::zero_length, {}, 0});
    prefix_len_ = 0;
    return;
  }
  if (length_ > max_frame_bytes_) {
    ready_.push_back(FrameEvent{FrameEvent::Kind::too_large, {}, length_});
    failed_ = true;
    return;
  }
  payload_.reserve(length_);
}

std::optional<FrameEvent> FrameDecoder::next() {
  if (ready_.empty()) return std::nullopt;
  FrameEvent event = std::move(ready_.front());
  ready_.pop_front();
  return event;
}

}  // namespace oxydra
