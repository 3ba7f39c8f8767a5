#pragma once

#include <sys/types.h>

#include <optional>

#include "oxydra/types/error.h"
#include "oxydra/types/user_policy.h"

namespace oxydra::runner {

// Creates <workspace_root>/<user>/{shared,tmp,vault,ipc,control,logs,internal}
// and ipc/gateway/.
// Idempotent: existing directories are kept and get their mode back. The user
// root, internal/, vault/ and logs/ are 0700; ipc/ is 0711 and the runner's
// (guests reach only the subdirectories a tier gives them); control/ is 0700,
// or 0750 with `operator_gid` as its group; shared/ and tmp/ follow the umask.
// A runner directory that is a symlink or not a directory is an error naming
// it; ipc/ and control/ are taken back from any other owner (a guest of an
// older layout owned ipc/).
//
// Mount overrides are never created, chowned or chmodded: each must exist and
// be reachable beneath one of policy.mount_roots without a symlink
// (docs/security.md).
Result<void> provision_workspace(const UserPolicy& policy,
                                 std::optional<uid_t> guest_owner = std::nullopt,
                                 std::optional<gid_t> operator_gid = std::nullopt);

// An override directory opened beneath its allowed root without following
// symlinks; fails with path_refused naming the override and why.
Result<void> check_override(const std::filesystem::path& dir,
                            const std::vector<std::filesystem::path>& roots);

}  // namespace oxydra::runner
