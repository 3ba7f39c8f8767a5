#include "log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace oxydra::runner {

namespace fs = std::filesystem;

namespace {

fs::path generation(const fs::path& path, std::uint64_t n) {
  return fs::path(path.string() + "." + std::to_string(n));
}

// Length of the valid UTF-8 sequence at `p`, or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t p) {
  const auto c = static_cast<unsigned char>(s[p]);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || (len == 2 && c < 0xC2) || p + len > s.size()) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if ((static_cast<unsigned char>(s[p + i]) & 0xC0) != 0x80) return 0;
  }
  if (len == 3) {
    const auto c1 = static_cast<unsigned char>(s[p + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;  // overlong, surrogate
  }
  if (len == 4) {
    const auto c1 = static_cast<unsigned char>(s[p + 1]);
    if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return 0;
  }
  return len;
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
  if (!fd_) {
    if (auto opened = open(); !opened) return opened;
  }
  if (size_ > 0 && size_ + entry.size() > max_bytes_) {
    if (auto rotated = rotate(); !rotated) return rotated;
  }
  std::size_t done = 0;
  while (done < entry.size()) {
    ssize_t n = ::write(fd_.get(), entry.data() + done, entry.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(errno_error("write log " + path_.string(), errno));
    done += static_cast<std::size_t>(n);
  }
  size_ += entry.size();
  return {};
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

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t p = 0; p < text.size();) {
    const std::size_t len = utf8_sequence(text, p);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++p;
    } else {
      out.append(text.substr(p, len));
      p += len;
    }
  }
  return out;
}

}  // namespace oxydra::runner
