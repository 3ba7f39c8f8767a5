#include "output_buffer.h"

#include <algorithm>

#include "oxydra/sys/utf8.h"

namespace oxydra::shell_daemon {

HeadTailBuffer::HeadTailBuffer(std::size_t head_capacity, std::size_t tail_capacity)
    : head_capacity_(head_capacity), tail_capacity_(tail_capacity) {}

void HeadTailBuffer::append(std::string_view data) {
  total_ += data.size();
  if (head_.size() < head_capacity_) {
    const std::size_t take = std::min(head_capacity_ - head_.size(), data.size());
    head_.append(data.substr(0, take));
    data.remove_prefix(take);
  }
  if (data.empty() || tail_capacity_ == 0) return;
  if (data.size() >= tail_capacity_) {
    tail_.assign(data.substr(data.size() - tail_capacity_));
    tail_start_ = 0;
    return;
  }
  tail_.append(data);
  if (tail_.size() - tail_start_ > tail_capacity_) tail_start_ = tail_.size() - tail_capacity_;
  if (tail_start_ >= tail_capacity_) {
    tail_.erase(0, tail_start_);
    tail_start_ = 0;
  }
}

HeadTailBuffer make_stream_buffer(std::size_t max_output_bytes) {
  return HeadTailBuffer(max_output_bytes / 2, max_output_bytes - max_output_bytes / 2);
}

namespace {

struct Kept {
  std::string text;
  std::uint64_t bytes = 0;
};

// The stream's first and last bytes within `budget`, cut on character boundaries.
Kept keep_stream(const HeadTailBuffer& buf, std::size_t budget) {
  Kept kept;
  if (buf.total() <= budget) {
    kept.text = sys::sanitize_utf8(std::string(buf.head()) + std::string(buf.tail()));
    kept.bytes = buf.total();
    return kept;
  }
  const std::size_t head_keep = budget / 2;
  const std::size_t tail_keep = budget - head_keep;
  std::string_view head = buf.head().substr(0, head_keep);
  std::string whole;
  std::string_view tail;
  if (buf.complete()) {
    whole = std::string(buf.head()) + std::string(buf.tail());
    tail = std::string_view(whole).substr(whole.size() - tail_keep);
  } else {
    tail = buf.tail().substr(buf.tail().size() - tail_keep);
  }
  head.remove_suffix(sys::incomplete_suffix(head));
  tail.remove_prefix(sys::leading_continuations(tail));
  kept.text = sys::sanitize_utf8(head);
  sys::append_sanitized(kept.text, tail);
  kept.bytes = head.size() + tail.size();
  return kept;
}

}  // namespace

KeptOutput keep_output(const HeadTailBuffer& out, const HeadTailBuffer& err,
                       std::size_t max_output_bytes) {
  const std::uint64_t total = out.total() + err.total();
  std::size_t out_budget = max_output_bytes;
  std::size_t err_budget = max_output_bytes;
  if (total > max_output_bytes) {
    const std::size_t half = max_output_bytes / 2;
    if (out.total() <= err.total()) {
      out_budget = static_cast<std::size_t>(std::min<std::uint64_t>(out.total(), half));
      err_budget = max_output_bytes - out_budget;
    } else {
      err_budget = static_cast<std::size_t>(std::min<std::uint64_t>(err.total(), half));
      out_budget = max_output_bytes - err_budget;
    }
  }
  Kept o = keep_stream(out, out_budget);
  Kept e = keep_stream(err, err_budget);
  KeptOutput result;
  result.stdout_text = std::move(o.text);
  result.stderr_text = std::move(e.text);
  result.kept_bytes = o.bytes + e.bytes;
  result.truncated_bytes = total - result.kept_bytes;
  return result;
}

}  // namespace oxydra::shell_daemon
