#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace oxydra::shell_daemon {

// A finished command's kept output, handed out by stream_output in chunks:
// stdout first, then stderr, the last chunk with eof (Oxydra's pull mode).
class PendingOutput {
 public:
  struct Chunk {
    std::string_view stream;  // "stdout" or "stderr"
    std::string data;
    bool eof = true;
  };

  PendingOutput() = default;
  PendingOutput(std::string stdout_text, std::string stderr_text);

  // Up to `max_bytes` of text, never splitting a character. With nothing
  // left: stream "stdout", empty data, eof.
  Chunk next(std::size_t max_bytes);
  bool empty() const;
  void clear();

 private:
  std::string stdout_;
  std::string stderr_;
  std::size_t stdout_pos_ = 0;
  std::size_t stderr_pos_ = 0;
};

}  // namespace oxydra::shell_daemon
