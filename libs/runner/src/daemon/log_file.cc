#include "daemon/log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "oxydra/sys/io.h"

namespace oxydra::runner {

namespace fs = std::filesystem;

namespace {

fs::path generation(const fs::path& path, std::uint64_t n) {
  return fs::path(path.string() + "." + std::to_string(n));
}

}  // namespace

RotatingLog::RotatingLog(fs::path path, std::uint64_t max_bytes, std::uint64_t max_files)
    : path_(std::move(path)), max_bytes_(max_bytes), max_files_(max_files) {}

Result<void> RotatingLog::open() {
  fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd_) return tl::unexpected(errno_error("open log " + path_.string(), errno));
  struct stat st {};
  size_ = ::fstat(fd_.get(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  return {};
}

Result<void> RotatingLog::rotate() {
  fd_.reset();
  std::error_code ec;
  fs::remove(generation(path_, max_files_), ec);
  for (std::uint64_t n = max_files_; n > 1; --n) {
    fs::rename(generation(path_, n - 1), generation(path_, n), ec);  // gaps are fine
  }
  fs::rename(path_, generation(path_, 1), ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return tl::unexpected(errno_error("rotate log " + path_.string(), ec.value()));
  }
  return open();
}

Result<void> RotatingLog::append(std::string_view timestamp, std::string_view text) {
  std::string entry;
  entry.reserve(timestamp.size() + text.size() + 2);
  entry.append(timestamp).append(" ").append(text).append("\n");
  held_bytes_ += entry.size();
  held_.push_back(std::move(entry));
  while (held_bytes_ > kMaxHeldBytes && held_.size() > 1) {
    held_bytes_ -= held_.front().size();
    held_.pop_front();
    ++dropped_;
  }
  return write_held();
}

Result<void> RotatingLog::write_held() {
  if (dropped_ > 0 && !held_.empty()) {
    // Said in the log itself, where the gap is.
    const std::string& next = held_.front();
    const std::string timestamp = next.substr(0, next.find(' '));
    std::string note = timestamp + " [oxydra-runner: " + std::to_string(dropped_) +
                       " earlier lines lost: the log could not be written]\n";
    held_bytes_ += note.size();
    held_.push_front(std::move(note));
    dropped_ = 0;
  }
  while (!held_.empty()) {
    const std::string& entry = held_.front();
    if (!fd_) {
      if (auto opened = open(); !opened) return held_error(opened.error().message);
    }
    if (size_ > 0 && size_ + entry.size() > max_bytes_) {
      if (auto rotated = rotate(); !rotated) return held_error(rotated.error().message);
    }
    if (const int err = sys::write_all(fd_.get(), entry)) {
      // No half line stays behind to garble the next one.
      if (::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0) fd_.reset();
      return held_error(errno_error("write log " + path_.string(), err).message);
    }
    size_ += entry.size();
    held_bytes_ -= entry.size();
    held_.pop_front();
  }
  return {};
}

Result<void> RotatingLog::held_error(const std::string& message) const {
  return tl::unexpected(Error{ErrorCode::io, message + " (" + std::to_string(held_.size()) +
                                                 " lines held in memory until it can be)"});
}

fs::path log_path(const fs::path& logs_dir, std::string_view role, std::string_view stream) {
  return logs_dir / (std::string(role) + "." + std::string(stream) + ".log");
}

std::vector<fs::path> log_generations(const fs::path& path) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (std::uint64_t n = 1; fs::exists(generation(path, n), ec); ++n) {
    out.insert(out.begin(), generation(path, n));
  }
  if (fs::exists(path, ec)) out.push_back(path);
  return out;
}

std::optional<LogLine> parse_log_line(std::string_view line) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  return LogLine{line.substr(0, space), line.substr(space + 1)};
}

}  // namespace oxydra::runner
