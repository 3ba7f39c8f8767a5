#pragma once

#include <span>
#include <string_view>

#include "oxydra/types/error.h"
#include "sqlite_db.h"

namespace oxydra::memory {

// One schema step: the SQL that takes the database to `version`.
struct Migration {
  int version;
  std::string_view sql;
};

// The schema's history, oldest first. Append new steps; never edit old ones.
std::span<const Migration> schema_migrations();

// Brings the database to the last step's version, one transaction per step,
// recording progress in PRAGMA user_version. A database whose version is newer
// than the last step is refused (code `schema_too_new`). Returns the version.
Result<int> migrate(Database& db, std::span<const Migration> steps);

}  // namespace oxydra::memory
