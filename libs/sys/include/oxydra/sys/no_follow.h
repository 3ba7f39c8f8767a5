#pragma once

#include <sys/types.h>

#include <filesystem>

#include "oxydra/sys/unique_fd.h"

namespace oxydra::sys {

// Opens `path` (absolute, lexically inside `root`) without following any
// symlink and without leaving `root` on the way (openat2 RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS). `root` itself is the
// operator's and may be reached through symlinks. Sets errno and returns an
// empty fd on failure: ELOOP for a symlink on the way, EXDEV for a path that
// would leave `root`.
UniqueFd open_beneath(const std::filesystem::path& root, const std::filesystem::path& path,
                      int flags);

// Gives `dir` and everything under it to uid:gid without following a symlink
// and without crossing into another filesystem: every directory is opened
// O_NOFOLLOW by fd from its parent, every other entry is changed with
// fchownat(AT_SYMLINK_NOFOLLOW). Returns 0 or the errno; `failed` names the
// entry that failed.
int chown_tree_no_follow(const std::filesystem::path& dir, uid_t uid, gid_t gid,
                         std::filesystem::path& failed);

}  // namespace oxydra::sys
