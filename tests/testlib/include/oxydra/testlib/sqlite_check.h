#pragma once

#include <string>

namespace oxydra::testlib {

struct SqliteCheck {
  std::string integrity;  // PRAGMA integrity_check's answer ("ok"), or why it could not run
  std::string rows;       // every row of the query, one per line, columns tab-separated
};

// Opens `path` read-only and runs SQLite's integrity check, then `query`.
SqliteCheck check_sqlite(const std::string& path, const std::string& query);

}  // namespace oxydra::testlib
