#include "daemon/provisioning.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "backends/container/guest_ids.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;

enum class Mode { umask, private_dir };

// mkdir -p; only the last component is checked and fixed: parents above the
// workspace are the operator's.
Result<void> ensure_dir(const fs::path& dir, Mode mode, bool allow_symlink, uid_t guest_owner) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return tl::unexpected(errno_error("create directory " + dir.string(), ec.value()));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    return tl::unexpected(errno_error("stat " + dir.string(), errno));
  }
  if (S_ISLNK(st.st_mode) && !allow_symlink) {
    return fail(ErrorCode::io,
                dir.string() + ": is a symlink; the runner's own directories must not be");
  }
  if (S_ISLNK(st.st_mode) && ::stat(dir.c_str(), &st) != 0) {
    return tl::unexpected(errno_error("stat " + dir.string(), errno));
  }
  if (!S_ISDIR(st.st_mode))
    return fail(ErrorCode::io, dir.string() + ": exists and is not a directory");
  // The container tier hands the data directories to the guest's host uid.
  if (st.st_uid != ::geteuid() && st.st_uid != guest_owner) {
    return fail(ErrorCode::io, dir.string() + ": owned by uid " + std::to_string(st.st_uid) +
                                   ", not by the runner's uid " + std::to_string(::geteuid()));
  }
  if (mode == Mode::private_dir && (st.st_mode & 07777) != 0700 &&
      ::chmod(dir.c_str(), 0700) != 0) {
    return tl::unexpected(errno_error("chmod 0700 " + dir.string(), errno));
  }
  return {};
}

}  // namespace

Result<void> provision_workspace(const UserPolicy& policy, std::optional<uid_t> owner) {
  const WorkspaceLayout& l = policy.layout;
  const uid_t guest_owner = owner.value_or(guest_host_uid(policy.user_id));
  struct Dir {
    const fs::path& path;
    Mode mode;
    bool runner_owned;  // under the user root, created only by the runner
  };
  const Dir dirs[] = {
      {l.root, Mode::private_dir, true},
      {l.ipc, Mode::private_dir, true},
      {l.internal, Mode::private_dir, true},
      {l.logs, Mode::private_dir, true},
      {policy.vault, Mode::private_dir, l.vault == policy.vault},
      {policy.shared, Mode::umask, l.shared == policy.shared},
      {policy.tmp, Mode::umask, l.tmp == policy.tmp},
  };
  for (const auto& dir : dirs) {
    // Overrides outside the workspace may be symlinks the operator set up.
    if (auto made = ensure_dir(dir.path, dir.mode, !dir.runner_owned, guest_owner); !made)
      return made;
  }
  return {};
}

}  // namespace oxydra::runner
