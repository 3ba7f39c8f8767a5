#include "socket_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "oxydra/sys/unix_connect.h"
#include "oxydra/types/workspace_layout.h"
#include "workspace.h"

namespace oxydra::gateway {

Result<void> prepare_socket_path(const std::string& path) {
  if (path.empty() || path.size() > kMaxUnixSocketPath) {
    return fail(ErrorCode::invalid_arguments, "gateway socket " + path +
                                                  ": path is empty or longer than " +
                                                  std::to_string(kMaxUnixSocketPath) + " bytes");
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) {
    if (auto made = ensure_dir(dir); !made) return made;
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      if (st.st_uid != ::geteuid() || ::chmod(dir.c_str(), 0700) != 0) {
        spdlog::warn("gateway socket directory {} is mode {:o}, not 0700", dir.string(),
                     st.st_mode & 0777);
      }
    }
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return tl::unexpected(errno_error("stat " + path, errno));
  }
  if (!S_ISSOCK(st.st_mode))
    return fail(ErrorCode::io, "gateway socket " + path + ": exists and is not a socket");
  std::error_code error;
  if (sys::connect_unix_once(path, sys::Clock::now(), sys::FdMode::blocking, error)) {
    return fail(ErrorCode::address_in_use,
                "gateway socket " + path + ": another process is serving it");
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return tl::unexpected(errno_error("remove stale socket " + path, errno));
  }
  return {};
}

Result<void> restrict_socket(const std::string& path) {
  if (::chmod(path.c_str(), 0600) != 0) return tl::unexpected(errno_error("chmod " + path, errno));
  return {};
}

}  // namespace oxydra::gateway
