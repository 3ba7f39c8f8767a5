#include "output_capture.h"

#include <algorithm>

#include "oxydra/sys/utf8.h"

namespace oxydra::sandbox {

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
  if (tail_len == 0) return sys::sanitize_utf8(head_);
  // Where nothing was dropped the two halves are one stream: decode them together.
  if (dropped() == 0) return sys::sanitize_utf8(head_ + tail_);
  return sys::sanitize_utf8(head_) +
         sys::sanitize_utf8(std::string_view(tail_).substr(tail_.size() - tail_len));
}

}  // namespace oxydra::sandbox
