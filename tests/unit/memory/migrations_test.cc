#include "migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oxydra/memory/store.h"
#include "sqlite_db.h"
#include "temp_dir.h"

namespace oxydra::memory {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

int version_of(Database& db) {
  return static_cast<int>(db.query_int("PRAGMA user_version").value());
}

TEST(Migrations, EmptyDatabaseReachesLatestVersion) {
  TempDir dir;
  auto db = Database::open(dir.file("m.db"));
  ASSERT_TRUE(db) << db.error().message;
  auto version = migrate(*db, schema_migrations());
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, latest_schema_version());
  EXPECT_EQ(version_of(*db), latest_schema_version());
  EXPECT_EQ(db->query_int("SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                          "('sessions', 'messages')")
                .value(),
            2);
}

TEST(Migrations, RerunIsANoOp) {
  TempDir dir;
  auto db = Database::open(dir.file("m.db"));
  ASSERT_TRUE(db);
  ASSERT_TRUE(migrate(*db, schema_migrations()));
  auto again = migrate(*db, schema_migrations());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, latest_schema_version());
}

TEST(Migrations, AppliesOnlyTheMissingSteps) {
  TempDir dir;
  auto db = Database::open(dir.file("m.db"));
  ASSERT_TRUE(db);
  const Migration v1[] = {{1, "CREATE TABLE a (x INTEGER)"}};
  ASSERT_EQ(migrate(*db, v1).value(), 1);
  const Migration v3[] = {{1, "CREATE TABLE a (x INTEGER)"},
                          {2, "ALTER TABLE a ADD COLUMN y TEXT"},
                          {3, "CREATE TABLE b (z INTEGER)"}};
  auto version = migrate(*db, v3);
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, 3);
  EXPECT_TRUE(db->exec("INSERT INTO a (x, y) VALUES (1, 'one'); INSERT INTO b VALUES (2)"));
}

TEST(Migrations, FailedStepRollsBackAndKeepsTheVersion) {
  TempDir dir;
  auto db = Database::open(dir.file("m.db"));
  ASSERT_TRUE(db);
  const Migration steps[] = {{1, "CREATE TABLE a (x INTEGER)"},
                             {2, "CREATE TABLE c (x INTEGER); CREATE TABLE a (oops)"}};
  auto version = migrate(*db, steps);
  ASSERT_FALSE(version);
  EXPECT_THAT(version.error().message, HasSubstr("migration to version 2"));
  EXPECT_THAT(version.error().message, HasSubstr("already exists"));
  EXPECT_EQ(version_of(*db), 1);
  EXPECT_EQ(db->query_int("SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'").value(), 0);
}

TEST(Migrations, NewerDatabaseIsRefused) {
  TempDir dir;
  const std::string path = dir.file("memory.db");
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("PRAGMA user_version = 99"));
  }
  auto db = Database::open(path);
  ASSERT_TRUE(db);
  auto version = migrate(*db, schema_migrations());
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().code, ErrorCode::schema_too_new);
  EXPECT_THAT(version.error().message, HasSubstr(path));
  EXPECT_THAT(version.error().message, HasSubstr("version 99 is newer"));

  auto store = Store::open(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::schema_too_new);
}

}  // namespace
}  // namespace oxydra::memory
