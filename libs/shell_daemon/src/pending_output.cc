#include "pending_output.h"

#include <algorithm>

#include "oxydra/sys/utf8.h"
#include "oxydra/types/shell_messages.h"

namespace oxydra::shell_daemon {

PendingOutput::PendingOutput(std::string stdout_text, std::string stderr_text)
    : stdout_(std::move(stdout_text)), stderr_(std::move(stderr_text)) {}

bool PendingOutput::empty() const {
  return stdout_pos_ >= stdout_.size() && stderr_pos_ >= stderr_.size();
}

void PendingOutput::clear() {
  *this = PendingOutput();
}

PendingOutput::Chunk PendingOutput::next(std::size_t max_bytes) {
  Chunk chunk;
  chunk.stream = shell_rpc::kStdout;
  std::string* text = &stdout_;
  std::size_t* pos = &stdout_pos_;
  if (stdout_pos_ >= stdout_.size()) {
    text = &stderr_;
    pos = &stderr_pos_;
    if (stderr_pos_ < stderr_.size()) chunk.stream = shell_rpc::kStderr;
  }
  std::string_view rest = std::string_view(*text).substr(std::min(*pos, text->size()));
  const std::size_t take = sys::boundary_at_most(rest, std::max<std::size_t>(max_bytes, 1));
  chunk.data.assign(rest.substr(0, take));
  *pos += take;
  chunk.eof = empty();
  if (chunk.eof) clear();  // hand the memory back as soon as it is drained
  return chunk;
}

}  // namespace oxydra::shell_daemon
