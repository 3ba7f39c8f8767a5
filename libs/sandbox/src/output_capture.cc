#include "output_capture.h"

#include <algorithm>

namespace oxydra::sandbox {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the valid sequence starting at s[0], 0 when invalid, or -1 when it
// is a valid start cut short by the end of the input.
int sequence_length(std::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return 1;
  int len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  for (int i = 1; i < len; ++i) {
    if (static_cast<std::size_t>(i) >= s.size()) return -1;
    const auto b = static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return len;
}

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    const int len = sequence_length(bytes);
    if (len > 0) {
      out.append(bytes.substr(0, static_cast<std::size_t>(len)));
      bytes.remove_prefix(static_cast<std::size_t>(len));
    } else {
      out.append(kReplacement);
      bytes.remove_prefix(1);
    }
  }
  return out;
}

std::size_t complete_utf8_prefix(std::string_view bytes) {
  // A sequence is at most 4 bytes: only the last 3 can be an unfinished start.
  const std::size_t from = bytes.size() > 3 ? bytes.size() - 3 : 0;
  for (std::size_t i = from; i < bytes.size(); ++i) {
    if (sequence_length(bytes.substr(i)) == -1) return i;
  }
  return bytes.size();
}

OutputCapture::OutputCapture(std::uint64_t budget)
    : head_limit_(budget / 2), tail_limit_(budget - budget / 2) {}

void OutputCapture::append(std::string_view bytes) {
  total_ += bytes.size();
  if (head_.size() < head_limit_) {
    const auto take = std::min<std::uint64_t>(head_limit_ - head_.size(), bytes.size());
    head_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
  }
  if (bytes.empty() || tail_limit_ == 0) return;
  if (bytes.size() >= tail_limit_) {
    tail_.assign(bytes.substr(bytes.size() - tail_limit_));
    return;
  }
  tail_.append(bytes);
  if (tail_.size() > 2 * tail_limit_) tail_.erase(0, tail_.size() - tail_limit_);
}

std::uint64_t OutputCapture::kept() const {
  return head_.size() + std::min<std::uint64_t>(tail_.size(), tail_limit_);
}

std::string OutputCapture::text() const {
  const std::size_t tail_len = std::min<std::uint64_t>(tail_.size(), tail_limit_);
  if (tail_len == 0) return valid_utf8(head_);
  // Where nothing was dropped the two halves are one stream: decode them together.
  if (dropped() == 0) return valid_utf8(head_ + tail_);
  return valid_utf8(head_) + valid_utf8(std::string_view(tail_).substr(tail_.size() - tail_len));
}

}  // namespace oxydra::sandbox
