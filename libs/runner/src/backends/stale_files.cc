#include "backends/stale_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

namespace oxydra::runner {

Result<void> remove_stale_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return tl::unexpected(errno_error("stat " + path, errno));
  }
  if (!S_ISSOCK(st.st_mode)) return fail(ErrorCode::io, path + ": exists and is not a socket");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return tl::unexpected(errno_error("remove stale socket " + path, errno));
  }
  spdlog::info("removed stale socket {} left by an earlier run", path);
  return {};
}

}  // namespace oxydra::runner
