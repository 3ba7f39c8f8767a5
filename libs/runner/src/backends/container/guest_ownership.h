#pragma once

#include <sys/types.h>

#include <filesystem>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// Makes `dir` (one of the runner's own workspace directories) and everything
// below it owned by a container guest's host ids, so the unprivileged user
// inside can use it. Walks the tree only when `dir` itself is not yet theirs
// (first start, a driver with another id range, or after the process tier
// wrote as root); never follows a symlink and never leaves the filesystem.
Result<void> give_to_guest(const std::filesystem::path& dir, uid_t uid, gid_t gid);

// An operator-allowed directory outside the workspace is never changed: it
// must already be owned by the guest's host uid, else path_refused with the
// command that would fix it.
Result<void> check_guest_owns(const std::filesystem::path& dir, uid_t uid);

}  // namespace oxydra::runner
