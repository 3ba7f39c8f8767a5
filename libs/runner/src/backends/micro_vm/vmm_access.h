#pragma once

#include <sys/types.h>

#include <filesystem>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// The VMM runs as the guest's uid, not root: every image it opens and every
// directory on the way to them and to its sockets must let that uid through.
// Checked before the VMM starts, so the error names the directory and the
// chmod that fixes it instead of QEMU's own "Permission denied".
// `need`: R_OK for a file the VMM reads, X_OK for a directory it enters.
Result<void> check_vmm_can_reach(const std::filesystem::path& path, uid_t uid, gid_t gid, int need);

}  // namespace oxydra::runner
