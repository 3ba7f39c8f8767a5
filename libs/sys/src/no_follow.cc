#include "oxydra/sys/no_follow.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace oxydra::sys {

UniqueFd open_beneath(const std::filesystem::path& root, const std::filesystem::path& path,
                      int flags) {
  const std::filesystem::path relative = path.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") {
    errno = EXDEV;
    return UniqueFd();
  }
  UniqueFd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) return root_fd;
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags) | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, root_fd.get(), relative.c_str(), &how, sizeof how);
  return UniqueFd(fd < 0 ? -1 : static_cast<int>(fd));
}

namespace {

constexpr int kMaxDepth = 256;

int chown_children(int dir_fd, dev_t device, uid_t uid, gid_t gid,
                   const std::filesystem::path& where, std::filesystem::path& failed, int depth) {
  if (depth > kMaxDepth) {
    failed = where;
    return ELOOP;
  }
  const int list_fd = ::dup(dir_fd);
  if (list_fd < 0) return errno;
  DIR* listing = ::fdopendir(list_fd);
  if (!listing) {
    const int error = errno;
    ::close(list_fd);
    failed = where;
    return error;
  }
  int result = 0;
  while (dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed while we walked
      result = errno;
      failed = where / name;
      break;
    }
    if (S_ISDIR(st.st_mode) && st.st_dev == device) {
      UniqueFd child(
          ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child || ::fchown(child.get(), uid, gid) != 0) {
        result = errno;
        failed = where / name;
        break;
      }
      result = chown_children(child.get(), device, uid, gid, where / name, failed, depth + 1);
      if (result != 0) break;
    } else if ((st.st_uid != uid || st.st_gid != gid) &&
               ::fchownat(dir_fd, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0 &&
               errno != ENOENT) {
      result = errno;
      failed = where / name;
      break;
    }
  }
  ::closedir(listing);
  return result;
}

}  // namespace

int chown_tree_no_follow(const std::filesystem::path& dir, uid_t uid, gid_t gid,
                         std::filesystem::path& failed) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || ::fchown(fd.get(), uid, gid) != 0) {
    failed = dir;
    return errno;
  }
  return chown_children(fd.get(), st.st_dev, uid, gid, dir, failed, 0);
}

}  // namespace oxydra::sys
