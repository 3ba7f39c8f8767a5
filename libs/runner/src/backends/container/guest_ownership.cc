#include "backends/container/guest_ownership.h"

#include <sys/stat.h>

#include <cerrno>

#include "oxydra/sys/no_follow.h"

namespace oxydra::runner {

Result<void> give_to_guest(const std::filesystem::path& dir, uid_t uid, gid_t gid) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return tl::unexpected(errno_error("stat " + dir.string(), errno));
  if (st.st_uid == uid && st.st_gid == gid) return {};
  std::filesystem::path failed;
  if (const int error = sys::chown_tree_no_follow(dir, uid, gid, failed); error != 0)
    return tl::unexpected(errno_error("chown " + failed.string(), error));
  return {};
}

Result<void> check_guest_owns(const std::filesystem::path& dir, uid_t uid) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return tl::unexpected(errno_error("stat " + dir.string(), errno));
  if (st.st_uid == uid) return {};
  return fail(ErrorCode::path_refused,
              dir.string() + ": owned by uid " + std::to_string(st.st_uid) +
                  ", but the guest writes as host uid " + std::to_string(uid) +
                  "; the runner never changes an operator's directory (chown -R " +
                  std::to_string(uid) + " " + dir.string() + " if it is meant for this user)");
}

}  // namespace oxydra::runner
