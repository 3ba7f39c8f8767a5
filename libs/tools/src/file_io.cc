#include "file_io.h"

#include <unistd.h>

#include <cerrno>

namespace oxydra::tools {

ToolOutput file_failure(std::string_view tool, const Error& error) {
  return ToolOutput::failure(to_string(error.code), std::string(tool) + ": " + error.message);
}

Result<struct stat> regular_file(int fd, const Location& at) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return tl::unexpected(errno_error("stat " + at.display, errno));
  if (S_ISDIR(st.st_mode)) {
    return fail(ErrorCode::is_directory,
                at.display + " is a directory; use file_list to see its contents");
  }
  if (!S_ISREG(st.st_mode))
    return fail(ErrorCode::not_regular_file, at.display + " is not a regular file");
  return st;
}

Result<std::string> read_up_to(int fd, std::uint64_t max, const Location& at) {
  std::string out;
  char buf[64 << 10];
  while (out.size() < max) {
    const std::size_t want = std::min<std::uint64_t>(sizeof buf, max - out.size());
    const ssize_t n = ::pread(fd, buf, want, static_cast<off_t>(out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(errno_error("read " + at.display, errno));
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Result<void> replace_contents(int fd, std::string_view data, const Location& at) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(errno_error("write " + at.display, errno));
    done += static_cast<std::size_t>(n);
  }
  if (::ftruncate(fd, static_cast<off_t>(data.size())) != 0) {
    return tl::unexpected(errno_error("truncate " + at.display, errno));
  }
  return {};
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace oxydra::tools
