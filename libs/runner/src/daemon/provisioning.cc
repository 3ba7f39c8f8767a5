#include "daemon/provisioning.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "backends/container/guest_ids.h"
#include "oxydra/sys/no_follow.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;

struct Wanted {
  mode_t mode = 0;       // 0: leave the mode alone (the umask's)
  bool reclaim = false;  // the runner takes it back from any other owner
  std::optional<gid_t> group;
};

// mkdir -p; only the last component is checked and fixed: parents above the
// workspace are the operator's. Mode and owner change through an fd opened
// O_NOFOLLOW, so a symlink swapped in after the check is never followed.
Result<void> ensure_dir(const fs::path& dir, const Wanted& wanted, uid_t guest_owner) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return tl::unexpected(errno_error("create directory " + dir.string(), ec.value()));
  sys::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    if (errno == ELOOP || errno == ENOTDIR) {
      struct stat st {};
      if (::lstat(dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        return fail(ErrorCode::io,
                    dir.string() + ": is a symlink; the runner's own directories must not be");
      }
      return fail(ErrorCode::io, dir.string() + ": exists and is not a directory");
    }
    return tl::unexpected(errno_error("open " + dir.string(), errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return tl::unexpected(errno_error("stat " + dir.string(), errno));
  const uid_t runner = ::geteuid();
  const gid_t group = wanted.group.value_or(wanted.reclaim ? ::getegid() : st.st_gid);
  if (wanted.reclaim && (st.st_uid != runner || st.st_gid != group)) {
    if (::fchown(fd.get(), runner, group) != 0)
      return tl::unexpected(errno_error("chown " + dir.string(), errno));
  } else if (st.st_uid != runner && st.st_uid != guest_owner) {
    return fail(ErrorCode::io, dir.string() + ": owned by uid " + std::to_string(st.st_uid) +
                                   ", not by the runner's uid " + std::to_string(runner));
  }
  if (wanted.mode != 0 && (st.st_mode & 07777) != wanted.mode &&
      ::fchmod(fd.get(), wanted.mode) != 0) {
    return tl::unexpected(errno_error("chmod " + dir.string(), errno));
  }
  return {};
}

}  // namespace

Result<void> check_override(const fs::path& dir, const std::vector<fs::path>& roots) {
  const auto root = std::find_if(roots.begin(), roots.end(), [&](const fs::path& r) {
    return path_within(dir, r) && !path_within(r, dir);
  });
  if (root == roots.end()) {
    return fail(ErrorCode::path_refused,
                dir.string() + ": not inside a mount root the runner allows this user");
  }
  sys::UniqueFd fd = sys::open_beneath(*root, dir, O_PATH | O_DIRECTORY);
  if (fd) return {};
  const int error = errno;
  if (error == ELOOP || error == EXDEV) {
    return fail(ErrorCode::path_refused, dir.string() +
                                             ": reached through a symlink below the mount root " +
                                             root->string() + "; name the real directory");
  }
  if (error == ENOENT) {
    return fail(ErrorCode::path_refused,
                dir.string() +
                    ": does not exist (the runner never creates an override; "
                    "the operator creates it under " +
                    root->string() + ")");
  }
  return tl::unexpected(errno_error("open " + dir.string(), error));
}

Result<void> provision_workspace(const UserPolicy& policy, std::optional<uid_t> owner,
                                 std::optional<gid_t> operator_gid) {
  const WorkspaceLayout& l = policy.layout;
  const uid_t guest_owner = owner.value_or(guest_host_uid(policy.user_id));
  struct Dir {
    const fs::path& path;
    Wanted wanted;
  };
  const Wanted control{operator_gid ? mode_t{0750} : mode_t{0700}, true, operator_gid};
  const fs::path gateway = l.ipc / "gateway";  // oxydra-vm serves its socket here
  const Dir dirs[] = {
      {l.root, {0700, false, std::nullopt}},
      {l.ipc, {0711, true, std::nullopt}},
      {l.control, control},
      {l.internal, {0700, false, std::nullopt}},
      {l.logs, {0700, false, std::nullopt}},
      {l.vault, {0700, false, std::nullopt}},
      {l.shared, {0, false, std::nullopt}},
      {l.tmp, {0, false, std::nullopt}},
      {gateway, {0700, false, std::nullopt}},
  };
  for (const auto& dir : dirs) {
    const bool overridden = (&dir.path == &l.vault && policy.vault != l.vault) ||
                            (&dir.path == &l.shared && policy.shared != l.shared) ||
                            (&dir.path == &l.tmp && policy.tmp != l.tmp);
    if (overridden) continue;
    if (auto made = ensure_dir(dir.path, dir.wanted, guest_owner); !made) return made;
  }
  for (const fs::path* mount : {&policy.shared, &policy.tmp, &policy.vault}) {
    if (path_within(*mount, l.root)) continue;
    if (auto checked = check_override(*mount, policy.mount_roots); !checked) return checked;
  }
  return {};
}

}  // namespace oxydra::runner
