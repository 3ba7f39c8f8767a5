#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace oxydra::shell_daemon {

// One framed message waiting to be written: a string for ordinary replies, or
// a buffer filled in place for output events (std::string would zero-fill it
// first, which costs as much as the escaping on the streaming path).
class OutFrame {
 public:
  OutFrame(std::string text) : text_(std::move(text)), size_(text_.size()) {}  // NOLINT
  OutFrame(std::unique_ptr<char[]> bytes, std::size_t size)
      : bytes_(std::move(bytes)), size_(size) {}

  const char* data() const { return bytes_ ? bytes_.get() : text_.data(); }
  std::size_t size() const { return size_; }

 private:
  std::string text_;
  std::unique_ptr<char[]> bytes_;
  std::size_t size_;
};

}  // namespace oxydra::shell_daemon
