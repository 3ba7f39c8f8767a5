#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// One guest log on disk: <logs>/<role>.<stream>.log, one entry per line as
// "<timestamp> <text>\n". At max_bytes it is renamed to .log.1 (older ones
// shift to .2, ...; beyond max_files they are deleted) and a new file starts.
// Entries that cannot be written (a full disk) are held in memory, up to
// kMaxHeldBytes, and written before the next entry once they can be; the
// oldest beyond that are dropped and the gap is said in the log.
class RotatingLog {
 public:
  static constexpr std::size_t kMaxHeldBytes = 1 << 20;

  RotatingLog(std::filesystem::path path, std::uint64_t max_bytes, std::uint64_t max_files);

  // Appends one entry; `text` must hold no newline. An error says the entry
  // is held, not written.
  Result<void> append(std::string_view timestamp, std::string_view text);
  const std::filesystem::path& path() const { return path_; }
  std::size_t held_lines() const { return held_.size(); }

 private:
  Result<void> open();
  Result<void> rotate();
  Result<void> write_held();
  Result<void> held_error(const std::string& message) const;

  std::filesystem::path path_;
  std::uint64_t max_bytes_;
  std::uint64_t max_files_;
  sys::UniqueFd fd_;
  std::uint64_t size_ = 0;
  std::deque<std::string> held_;
  std::size_t held_bytes_ = 0;
  std::uint64_t dropped_ = 0;
};

std::filesystem::path log_path(const std::filesystem::path& logs_dir, std::string_view role,
                               std::string_view stream);

// The files of one log, oldest first: .log.N ... .log.1, .log (those that exist).
std::vector<std::filesystem::path> log_generations(const std::filesystem::path& path);

struct LogLine {
  std::string_view timestamp;
  std::string_view text;
};
// nullopt for a line not in the entry format.
std::optional<LogLine> parse_log_line(std::string_view line);

}  // namespace oxydra::runner
