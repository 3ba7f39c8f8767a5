#include "backends/container/guest_ownership.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace oxydra::runner {

namespace {

// nftw has no user pointer; the walk runs on the runner's main thread only.
thread_local uid_t walk_uid;
thread_local gid_t walk_gid;
thread_local int walk_errno;
thread_local const char* walk_failed_path;

int change_one(const char* path, const struct stat*, int, FTW*) {
  if (::lchown(path, walk_uid, walk_gid) != 0) {
    walk_errno = errno;
    walk_failed_path = path;
    return 1;
  }
  return 0;
}

}  // namespace

Result<void> give_to_guest(const std::filesystem::path& dir, uid_t uid, gid_t gid) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return tl::unexpected(errno_error("stat " + dir.string(), errno));
  if (st.st_uid == uid && st.st_gid == gid) return {};
  walk_uid = uid;
  walk_gid = gid;
  walk_errno = 0;
  walk_failed_path = nullptr;
  if (::nftw(dir.c_str(), change_one, 32, FTW_PHYS | FTW_MOUNT) != 0) {
    std::string where = walk_failed_path ? walk_failed_path : dir.string();
    return tl::unexpected(errno_error("chown " + where, walk_errno ? walk_errno : errno));
  }
  return {};
}

}  // namespace oxydra::runner
