#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oxydra/types/error.h"
#include "oxydra/types/user_policy.h"

namespace oxydra::runner {

// Bounds what a guest can write into one of the user's data directories:
// the directory becomes the mount point of an ext4 image of the user's
// max_disk_mib (<user root>/disk/<name>.img, sparse, loop-mounted nosuid,nodev
// in the host's mount namespace so every driver sees it). Writing past it
// fails with ENOSPC inside the guest and the host's free space is untouched.
// Chosen over project quotas (which depend on the host filesystem's features)
// and a sized tmpfs (which costs memory and would not persist shared/).
//
// Idempotent: a directory that is already a mount point (the other guest's
// start, or a runner killed with -9) is kept as it is. Otherwise `fresh`
// recreates the image (tmp/; or takes the empty one made at the last stop),
// and the existing content of a directory that
// had no image yet is copied in (shared/ on its first start with quotas).
struct DiskQuotaSpec {
  std::filesystem::path dir;    // the directory to bound (shared/ or tmp/)
  std::filesystem::path image;  // its image file
  std::int64_t size_mib = 0;
  uid_t owner = 0;     // the image's root directory owner (the guest's host uid)
  bool fresh = false;  // a new, empty image whenever it is not mounted
};

// Mounts the image on spec.dir; returns what the enforcement report says.
Result<std::string> attach_disk_quota(const DiskQuotaSpec& spec);

// shared/ and tmp/ of a user bounded by their max_disk_mib (tmp/ fresh each
// time), owned by `owner`; an operator's directory outside the workspace is
// left alone. Returns the enforcement report's notes, one per directory.
Result<std::vector<std::string>> attach_user_disk_quotas(const UserPolicy& policy, uid_t owner);
// Unmounts what attach_user_disk_quotas mounted, and makes the next start's
// empty tmp/ image now, so that the start only mounts it.
void detach_user_disk_quotas(const UserPolicy& policy, uid_t owner);

// Unmounts spec.dir when an image is mounted there (lazily if busy).
void detach_disk_quota(const std::filesystem::path& dir);

// True when something is mounted exactly on `dir` (from /proc/self/mountinfo).
bool is_mount_point(const std::filesystem::path& dir);

}  // namespace oxydra::runner
