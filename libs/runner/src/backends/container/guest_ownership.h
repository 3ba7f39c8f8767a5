#pragma once

#include <sys/types.h>

#include <filesystem>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// Makes `dir` and everything below it owned by a container guest's host ids,
// so the unprivileged user inside can use it. Walks the tree only when `dir`
// itself is not yet theirs (first start, or after the process tier wrote as
// root); symlinks are changed themselves, never followed.
Result<void> give_to_guest(const std::filesystem::path& dir, uid_t uid, gid_t gid);

}  // namespace oxydra::runner
