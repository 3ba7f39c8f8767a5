#include "oxydra/tools/open_beneath.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#else
struct open_how {
  std::uint64_t flags;
  std::uint64_t mode;
  std::uint64_t resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_BENEATH 0x08
#endif
#ifndef SYS_openat2
#define SYS_openat2 437  // the same number on every architecture
#endif

namespace oxydra::tools {

namespace {

// Linux's own limit on symlinks followed in one lookup.
constexpr int kMaxSymlinks = 40;

std::deque<std::string> split(std::string_view path) {
  std::deque<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    if (j > i && path.substr(i, j - i) != ".") out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

BeneathResult from_fd(int fd) {
  BeneathResult r;
  if (fd < 0) {
    r.error = errno;
  } else {
    r.fd.reset(fd);
  }
  return r;
}

BeneathResult via_openat2(int root_fd, std::string_view relative, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const std::string path = relative.empty() ? std::string(".") : std::string(relative);
  // EAGAIN: a concurrent rename raced the lookup; the kernel asks us to retry.
  for (int attempt = 0;; ++attempt) {
    const long fd = ::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN || attempt == 8) return from_fd(static_cast<int>(fd));
  }
}

// Reads the target of the symlink `name` in `dir_fd`; 0 or an errno.
int read_link(int dir_fd, const std::string& name, std::string& target) {
  std::vector<char> buf(PATH_MAX);
  const ssize_t n = ::readlinkat(dir_fd, name.c_str(), buf.data(), buf.size());
  if (n < 0) return errno;
  if (n == 0) return ENOENT;
  if (static_cast<std::size_t>(n) >= buf.size()) return ENAMETOOLONG;
  target.assign(buf.data(), static_cast<std::size_t>(n));
  return 0;
}

// The fallback: the same rules as openat2(RESOLVE_BENEATH), enforced by hand.
// `dirs` holds the directories walked so far below the root; `..` pops one and
// popping past the root is an escape. Every component is opened with
// O_NOFOLLOW relative to an fd we already trust, so a symlink is only ever
// followed by splicing its (relative) target into the components still to go.
BeneathResult via_walk(int root_fd, std::string_view relative, int flags, mode_t mode) {
  if (!relative.empty() && relative.front() == '/') return BeneathResult{{}, EXDEV};
  std::deque<std::string> pending = split(relative);
  std::vector<sys::UniqueFd> dirs;
  int symlinks = 0;
  auto current = [&] { return dirs.empty() ? root_fd : dirs.back().get(); };

  // Splices the target of symlink `name` (in the current dir) into `pending`.
  auto follow = [&](const std::string& name) -> int {
    if (++symlinks > kMaxSymlinks) return ELOOP;
    std::string target;
    if (int err = read_link(current(), name, target)) return err;
    if (target.front() == '/') return EXDEV;
    auto parts = split(target);
    pending.insert(pending.begin(), parts.begin(), parts.end());
    return 0;
  };

  while (!pending.empty()) {
    const std::string name = std::move(pending.front());
    pending.pop_front();
    if (name == "..") {
      if (dirs.empty()) return BeneathResult{{}, EXDEV};
      dirs.pop_back();
      continue;
    }
    if (!pending.empty()) {
      const int fd = ::openat(current(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return from_fd(fd);
      sys::UniqueFd dir(fd);
      struct stat st {};
      if (::fstat(dir.get(), &st) != 0) return from_fd(-1);
      if (S_ISLNK(st.st_mode)) {
        if (int err = follow(name)) return BeneathResult{{}, err};
        continue;
      }
      if (!S_ISDIR(st.st_mode)) return BeneathResult{{}, ENOTDIR};
      dirs.push_back(std::move(dir));
      continue;
    }
    const int fd = ::openat(current(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0) {
      struct stat st {};
      // O_PATH | O_NOFOLLOW opens a symlink itself rather than failing.
      if ((flags & O_PATH) && !(flags & O_NOFOLLOW) && ::fstat(fd, &st) == 0 &&
          S_ISLNK(st.st_mode)) {
        ::close(fd);
        if (int err = follow(name)) return BeneathResult{{}, err};
        continue;
      }
      return from_fd(fd);
    }
    const int err = errno;
    struct stat st {};
    const bool is_link =
        ::fstatat(current(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
    // O_CREAT | O_EXCL never follows a final symlink: the name exists.
    const bool exclusive = (flags & O_CREAT) && (flags & O_EXCL);
    if (!is_link || (flags & O_NOFOLLOW) || exclusive) return BeneathResult{{}, err};
    if (int follow_err = follow(name)) return BeneathResult{{}, follow_err};
  }
  return from_fd(::openat(current(), ".", flags | O_CLOEXEC, mode));
}

std::atomic<int> g_openat2_state{0};  // 0 unknown, 1 works, -1 missing

}  // namespace

bool openat2_supported() {
  int state = g_openat2_state.load();
  if (state == 0) {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH;
    const long fd = ::syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
    // ENOSYS: an older kernel; EPERM: a seccomp filter that does not know it.
    state = (fd < 0 && (errno == ENOSYS || errno == EPERM)) ? -1 : 1;
    if (fd >= 0) ::close(static_cast<int>(fd));
    g_openat2_state.store(state);
  }
  return state > 0;
}

BeneathResult open_beneath(int root_fd, std::string_view relative, int flags, mode_t mode,
                           BeneathMethod method) {
  if (relative.find('\0') != std::string_view::npos) return BeneathResult{{}, EINVAL};
  if (method == BeneathMethod::openat2 ||
      (method == BeneathMethod::automatic && openat2_supported())) {
    return via_openat2(root_fd, relative, flags, mode);
  }
  return via_walk(root_fd, relative, flags, mode);
}

}  // namespace oxydra::tools
