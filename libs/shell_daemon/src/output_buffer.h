#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace oxydra::shell_daemon {

// Keeps the first `head_capacity` and the last `tail_capacity` bytes of a
// stream of any length; memory never exceeds about twice their sum.
class HeadTailBuffer {
 public:
  HeadTailBuffer(std::size_t head_capacity, std::size_t tail_capacity);

  void append(std::string_view data);

  std::uint64_t total() const { return total_; }
  // True when nothing was dropped: head() + tail() is the whole stream.
  bool complete() const { return total_ == head_.size() + tail().size(); }
  std::string_view head() const { return head_; }
  std::string_view tail() const { return std::string_view(tail_).substr(tail_start_); }

 private:
  std::size_t head_capacity_;
  std::size_t tail_capacity_;
  std::string head_;
  // The tail lives at tail_[tail_start_..]; dropped bytes are only compacted
  // away once they make up half the string, so appends stay amortized O(1).
  std::string tail_;
  std::size_t tail_start_ = 0;
  std::uint64_t total_ = 0;
};

// What a finished command leaves for pull mode, within its output budget.
struct KeptOutput {
  std::string stdout_text;  // sanitized UTF-8: kept head, then kept tail
  std::string stderr_text;
  std::uint64_t kept_bytes = 0;       // raw bytes represented in the texts
  std::uint64_t truncated_bytes = 0;  // printed minus kept
};

// Each stream retains up to `max_output_bytes` (half head, half tail) while
// the command runs, so the split between the two can be chosen at the end.
HeadTailBuffer make_stream_buffer(std::size_t max_output_bytes);

// Splits `max_output_bytes` between the streams (a stream that printed less
// than half leaves the rest to the other), keeps each stream's head and tail
// within its share, and cuts only on UTF-8 character boundaries.
KeptOutput keep_output(const HeadTailBuffer& out, const HeadTailBuffer& err,
                       std::size_t max_output_bytes);

}  // namespace oxydra::shell_daemon
