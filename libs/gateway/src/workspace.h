#pragma once

#include <filesystem>

#include "oxydra/types/error.h"

namespace oxydra::gateway {

// Creates `dir` and its missing parents with mode 0700 (umask permitting);
// an existing directory is left as it is.
Result<void> ensure_dir(const std::filesystem::path& dir);

// Creates the user's directories oxydra-vm uses if missing: shared/, tmp/,
// ipc/, and internal/ (always 0700: the database and audit log live there).
Result<void> prepare_workspace(const std::filesystem::path& root);

}  // namespace oxydra::gateway
