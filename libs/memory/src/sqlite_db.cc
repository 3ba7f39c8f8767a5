#include "sqlite_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace oxydra::memory {

namespace {

constexpr int kBusyTimeoutMs = 5000;

Error storage_error(std::string_view path, std::string_view what, std::string_view detail) {
  std::string message(path);
  message += ": ";
  message += what;
  message += ": ";
  message += detail;
  return Error{ErrorCode::storage, std::move(message)};
}

// SQLite's message, led by the cause a user can act on when the disk is full
// (SQLite says only "database or disk is full").
std::string describe(sqlite3* db, const char* message = nullptr) {
  std::string detail = message != nullptr ? message : sqlite3_errmsg(db);
  if ((sqlite3_errcode(db) & 0xff) == SQLITE_FULL || sqlite3_system_errno(db) == ENOSPC)
    return "No space left on device (" + detail + ")";
  return detail;
}

std::string_view statement_path(sqlite3_stmt* stmt) {
  const char* name = sqlite3_db_filename(sqlite3_db_handle(stmt), "main");
  return name != nullptr ? name : "memory";
}

// SQLite creates files 0644 & ~umask and gives the -wal and -shm files the
// database file's mode, so creating the database 0600 first covers all three.
Result<void> ensure_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return tl::unexpected(Error{ErrorCode::storage, errno_error("open " + path, errno).message});
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 0777) != 0600 && ::fchmod(fd, 0600) != 0) {
    int err = errno;
    ::close(fd);
    return tl::unexpected(Error{ErrorCode::storage, errno_error("chmod " + path, err).message});
  }
  ::close(fd);
  return {};
}

}  // namespace

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
}

void Statement::bind_text_or_null(int index, std::string_view text) {
  if (text.empty()) {
    bind_null(index);
  } else {
    bind(index, text);
  }
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  return tl::unexpected(storage_error(statement_path(stmt_), "step", describe(db)));
}

Result<void> Statement::run() {
  auto stepped = step();
  if (!stepped) return tl::unexpected(stepped.error());
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  if (data == nullptr) return {};
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return std::string(reinterpret_cast<const char*>(data), size);
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<Database> Database::open(const std::string& path) {
  if (auto made = ensure_private_file(path); !made) return tl::unexpected(made.error());
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return tl::unexpected(Error{ErrorCode::storage, "open " + path + ": " + detail});
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return Database(db, path);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Database::~Database() {
  close();
}

void Database::close() {
  // Callers finalize their statements first (member order), so this succeeds.
  if (db_ != nullptr) sqlite3_close(db_);
  db_ = nullptr;
}

int Database::changes() const {
  return sqlite3_changes(db_);
}

Error Database::error(std::string_view what) const {
  return storage_error(path_, what, describe(db_));
}

Result<void> Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string detail = describe(db_, message);
    sqlite3_free(message);
    return tl::unexpected(storage_error(path_, "exec", detail));
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(error("prepare"));
  return Statement(stmt);
}

Result<std::int64_t> Database::query_int(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return tl::unexpected(storage_error(path_, sql, "no result"));
  return stmt->int64(0);
}

Result<std::string> Database::query_text(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return tl::unexpected(storage_error(path_, sql, "no result"));
  return stmt->text(0);
}

Result<Transaction> Transaction::begin(Database& db) {
  if (auto started = db.exec("BEGIN IMMEDIATE"); !started) return tl::unexpected(started.error());
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Result<void> Transaction::commit() {
  Database* db = std::exchange(db_, nullptr);
  if (auto done = db->exec("COMMIT"); !done) {
    (void)db->exec("ROLLBACK");
    return done;
  }
  return {};
}

}  // namespace oxydra::memory
