#include "workspace.h"

#include <sys/stat.h>

#include <cerrno>

namespace oxydra::gateway {

Result<void> ensure_dir(const std::filesystem::path& dir) {
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return tl::unexpected(errno_error("mkdir " + partial.string(), errno));
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    return tl::unexpected(errno_error("stat " + dir.string(), errno));
  if (!S_ISDIR(st.st_mode))
    return fail(ErrorCode::io, "mkdir " + dir.string() + ": not a directory");
  return {};
}

Result<void> prepare_workspace(const std::filesystem::path& root) {
  for (const char* sub : {"shared", "tmp", "ipc", "internal"}) {
    if (auto made = ensure_dir(root / sub); !made) return made;
  }
  if (::chmod((root / "internal").c_str(), 0700) != 0) {
    return tl::unexpected(errno_error("chmod " + (root / "internal").string(), errno));
  }
  return {};
}

}  // namespace oxydra::gateway
