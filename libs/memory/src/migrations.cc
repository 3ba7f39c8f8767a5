#include "migrations.h"

#include <string>

namespace oxydra::memory {

namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  title TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_activity ON sessions (updated_at DESC);
CREATE TABLE messages (
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
  content TEXT NOT NULL DEFAULT '',
  tool_calls TEXT,
  tool_call_id TEXT,
  tool_name TEXT,
  status TEXT NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'in_flight')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
)sql"},
};

Result<int> user_version(Database& db) {
  auto version = db.query_int("PRAGMA user_version");
  if (!version) return tl::unexpected(version.error());
  return static_cast<int>(*version);
}

}  // namespace

std::span<const Migration> schema_migrations() {
  return kMigrations;
}

Result<int> migrate(Database& db, std::span<const Migration> steps) {
  const int latest = steps.empty() ? 0 : steps.back().version;
  auto current = user_version(db);
  if (!current) return current;
  if (*current > latest) {
    return fail(ErrorCode::schema_too_new, db.path() + ": database schema version " +
                                               std::to_string(*current) +
                                               " is newer than this build supports (" +
                                               std::to_string(latest) + "); refusing to open it");
  }
  for (const auto& step : steps) {
    if (step.version <= *current) continue;
    auto tx = Transaction::begin(db);
    if (!tx) return tl::unexpected(tx.error());
    // Re-read under the write lock: another process may have migrated while
    // this one waited for it.
    current = user_version(db);
    if (!current) return current;
    if (step.version <= *current) continue;
    if (auto applied = db.exec(step.sql); !applied) {
      return tl::unexpected(
          with_context(applied.error(), "migration to version " + std::to_string(step.version)));
    }
    if (auto stamped = db.exec("PRAGMA user_version = " + std::to_string(step.version)); !stamped) {
      return tl::unexpected(stamped.error());
    }
    if (auto done = tx->commit(); !done) return tl::unexpected(done.error());
    *current = step.version;
  }
  return *current;
}

}  // namespace oxydra::memory
