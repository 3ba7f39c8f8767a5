#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "oxydra/types/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace oxydra::memory {

// A prepared statement. Bind, step, read columns; reset() before reuse (the
// Reset guard does it on scope exit, so no statement keeps a read open).
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQL.
  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t value);
  void bind_null(int index);
  // Empty text binds NULL.
  void bind_text_or_null(int index, std::string_view text);

  // true: a row is available; false: done.
  Result<bool> step();
  // Steps once, expecting no row (INSERT, UPDATE, ...).
  Result<void> run();
  void reset();

  // Columns are 0-based. NULL reads as "" / 0.
  std::string text(int column) const;
  std::int64_t int64(int column) const;
  bool is_null(int column) const;

  class Reset {
   public:
    explicit Reset(Statement& statement) : statement_(statement) {}
    Reset(const Reset&) = delete;
    Reset& operator=(const Reset&) = delete;
    ~Reset() { statement_.reset(); }

   private:
    Statement& statement_;
  };

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// An open connection. Errors carry code `storage` and name the file:
// "<path>: <what>: <sqlite message>".
class Database {
 public:
  // Opens (creating if needed) with mode 0600; the directory must exist.
  static Result<Database> open(const std::string& path);

  Database() = default;
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements that return no rows.
  Result<void> exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // Reads a single integer (or text) from a one-row query such as a PRAGMA.
  Result<std::int64_t> query_int(std::string_view sql);
  Result<std::string> query_text(std::string_view sql);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const;
  Error error(std::string_view what) const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void close();

  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back on scope exit unless committed.
// IMMEDIATE takes the write lock up front, so a read-then-write (next seq)
// never fails half way with SQLITE_BUSY.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  Result<void> commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
};

}  // namespace oxydra::memory
