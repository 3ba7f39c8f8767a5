#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace oxydra::sandbox {

// Keeps the head and the tail of one output stream within `budget` bytes, so
// memory stays bounded however much a command prints.
class OutputCapture {
 public:
  explicit OutputCapture(std::uint64_t budget);

  void append(std::string_view bytes);

  std::uint64_t total() const { return total_; }
  std::uint64_t dropped() const { return total_ - kept(); }
  // Head then tail, valid UTF-8; no marker is inserted where bytes were dropped.
  std::string text() const;

 private:
  std::uint64_t kept() const;

  std::uint64_t head_limit_;
  std::uint64_t tail_limit_;
  std::uint64_t total_ = 0;
  std::string head_;
  std::string tail_;  // up to twice tail_limit_, trimmed in bulk
};

}  // namespace oxydra::sandbox
