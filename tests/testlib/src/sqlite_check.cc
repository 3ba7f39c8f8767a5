#include "oxydra/testlib/sqlite_check.h"

#include <sqlite3.h>

namespace oxydra::testlib {

namespace {

// Every row of `sql`, one per line; the error when it fails.
bool run(sqlite3* db, const std::string& sql, std::string& out) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    out = sqlite3_errmsg(db);
    return false;
  }
  int rc = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (i > 0) out += '\t';
      if (const auto* text = sqlite3_column_text(stmt, i))
        out += reinterpret_cast<const char*>(text);
    }
    out += '\n';
  }
  const bool ok = rc == SQLITE_DONE;
  if (!ok) out = sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  return ok;
}

}  // namespace

SqliteCheck check_sqlite(const std::string& path, const std::string& query) {
  SqliteCheck check;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    check.integrity = "open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return check;
  }
  std::string integrity;
  if (run(db, "PRAGMA integrity_check", integrity) && !integrity.empty() &&
      integrity.back() == '\n')
    integrity.pop_back();
  check.integrity = integrity;
  run(db, query, check.rows);
  sqlite3_close(db);
  return check;
}

}  // namespace oxydra::testlib
