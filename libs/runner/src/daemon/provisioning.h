#pragma once

#include <sys/types.h>

#include <optional>

#include "oxydra/types/error.h"
#include "oxydra/types/user_policy.h"

namespace oxydra::runner {

// Creates <workspace_root>/<user>/{shared,tmp,vault,ipc,logs,internal} and the
// user's mount overrides. Idempotent: existing directories are kept, and the
// private ones get their mode back. The user root, ipc/, internal/, vault/
// and logs/ are 0700; shared/ and tmp/ follow the umask. A runner-owned
// directory that is a symlink, not a directory, or not owned by the runner's
// user (or by `guest_owner`, the host uid the tier hands them to; default
// guest_host_uid(user)) is an error naming it.
Result<void> provision_workspace(const UserPolicy& policy,
                                 std::optional<uid_t> guest_owner = std::nullopt);

}  // namespace oxydra::runner
