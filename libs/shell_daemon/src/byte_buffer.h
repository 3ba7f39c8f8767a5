#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace oxydra::shell_daemon {

// A growable byte buffer that is written in place: unlike std::string or
// std::vector it never zero-fills the room it reserves, which on the streaming
// path would cost as much as the escaping that fills it.
class ByteBuffer {
 public:
  const char* data() const { return bytes_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return capacity_; }
  void clear() { size_ = 0; }

  // Room for at least `n` more bytes; write there, then commit() what was used.
  char* reserve_tail(std::size_t n) {
    if (capacity_ - size_ < n) {
      const std::size_t capacity = std::max(size_ + n, capacity_ * 2);
      auto bytes = std::make_unique_for_overwrite<char[]>(capacity);
      if (size_ > 0) std::memcpy(bytes.get(), bytes_.get(), size_);
      bytes_ = std::move(bytes);
      capacity_ = capacity;
    }
    return bytes_.get() + size_;
  }
  void commit(std::size_t n) { size_ += n; }

  void append(std::string_view text) {
    std::memcpy(reserve_tail(text.size()), text.data(), text.size());
    size_ += text.size();
  }

  void swap(ByteBuffer& other) noexcept {
    std::swap(bytes_, other.bytes_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

 private:
  std::unique_ptr<char[]> bytes_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace oxydra::shell_daemon
