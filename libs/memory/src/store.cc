#include "oxydra/memory/store.h"

#include <mutex>

#include <nlohmann/json.hpp>

#include "migrations.h"
#include "session_id.h"
#include "sqlite_db.h"

namespace oxydra::memory {

namespace {

Error unknown_session(std::string_view id) {
  return Error{ErrorCode::unknown_session, "unknown session: " + std::string(id)};
}

Result<void> check_message(const StoredMessage& message) {
  if (!message.tool_calls.empty() && !nlohmann::json::accept(message.tool_calls)) {
    return fail(ErrorCode::invalid_arguments, "tool_calls is not valid JSON");
  }
  return {};
}

SessionInfo read_session(const Statement& row) {
  return SessionInfo{row.text(0), row.text(1), row.int64(2), row.int64(3), row.int64(4)};
}

constexpr std::string_view kListSessions =
    "SELECT id, COALESCE(title, ''), created_at, updated_at,"
    " (SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id)"
    " FROM sessions s ORDER BY updated_at DESC, rowid DESC LIMIT ?1";

// updated_at is kept strictly increasing so "most recently active" is exact
// even when two writes land in the same millisecond.
constexpr std::string_view kTouchSession =
    "UPDATE sessions SET updated_at ="
    " MAX(?2, (SELECT MAX(updated_at) FROM sessions) + 1) WHERE id = ?1";

}  // namespace

int latest_schema_version() {
  return schema_migrations().back().version;
}

class Store::Impl {
 public:
  Database db;  // declared first: destroyed after the statements below
  int version = 0;
  std::mutex mutex;
  Statement insert_session, list_sessions, session_exists, set_title, touch_session;
  Statement next_seq, insert_message, update_message, load_messages;

  Result<void> prepare_all() {
    struct Entry {
      Statement* statement;
      std::string_view sql;
    };
    const Entry entries[] = {
        {&insert_session,
         "INSERT INTO sessions (id, title, created_at, updated_at)"
         " VALUES (?1, ?2, ?3, MAX(?3, COALESCE((SELECT MAX(updated_at) FROM sessions) + 1, 0)))"
         " RETURNING updated_at"},
        {&list_sessions, kListSessions},
        {&session_exists, "SELECT 1 FROM sessions WHERE id = ?1"},
        {&set_title, "UPDATE sessions SET title = ?2 WHERE id = ?1"},
        {&touch_session, kTouchSession},
        {&next_seq, "SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE session_id = ?1"},
        {&insert_message,
         "INSERT INTO messages (session_id, seq, role, content, tool_calls, tool_call_id,"
         " tool_name, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
        {&update_message,
         "UPDATE messages SET content = ?3, tool_calls = ?4, status = ?5"
         " WHERE session_id = ?1 AND seq = ?2"},
        {&load_messages,
         "SELECT seq, role, content, COALESCE(tool_calls, ''), COALESCE(tool_call_id, ''),"
         " COALESCE(tool_name, ''), status, created_at FROM messages"
         " WHERE session_id = ?1 ORDER BY seq"},
    };
    for (const auto& entry : entries) {
      auto prepared = db.prepare(entry.sql);
      if (!prepared) return tl::unexpected(prepared.error());
      *entry.statement = std::move(*prepared);
    }
    return {};
  }

  Result<bool> exists(std::string_view id) {
    Statement::Reset reset(session_exists);
    session_exists.bind(1, id);
    return session_exists.step();
  }

  Result<std::vector<SessionInfo>> sessions(std::size_t limit) {
    Statement::Reset reset(list_sessions);
    list_sessions.bind(1, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
    std::vector<SessionInfo> out;
    while (true) {
      auto row = list_sessions.step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return out;
      out.push_back(read_session(list_sessions));
    }
  }
};

Result<Store> Store::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  auto db = Database::open(path);
  if (!db) return tl::unexpected(db.error());
  impl->db = std::move(*db);
  auto mode = impl->db.query_text("PRAGMA journal_mode = WAL");
  if (!mode) return tl::unexpected(mode.error());
  if (*mode != "wal") {
    return fail(ErrorCode::storage,
                "open " + path + ": cannot enable WAL mode (journal_mode is " + *mode + ")");
  }
  // NORMAL is durable against a process crash in WAL mode; only a power loss
  // can undo the last few commits.
  if (auto set = impl->db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON"); !set) {
    return tl::unexpected(set.error());
  }
  auto version = migrate(impl->db, schema_migrations());
  if (!version) return tl::unexpected(version.error());
  impl->version = *version;
  if (auto prepared = impl->prepare_all(); !prepared) return tl::unexpected(prepared.error());
  return Store(std::move(impl));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

const std::string& Store::path() const {
  return impl_->db.path();
}

int Store::schema_version() const {
  return impl_->version;
}

Result<SessionInfo> Store::create_session(std::string_view title) {
  std::lock_guard lock(impl_->mutex);
  const std::int64_t created = now_ms();
  for (int attempt = 0;; ++attempt) {
    SessionInfo info{new_session_id(created), std::string(title), created, created, 0};
    auto exists = impl_->exists(info.id);
    if (!exists) return tl::unexpected(exists.error());
    if (*exists && attempt < 3) continue;
    auto& insert = impl_->insert_session;
    Statement::Reset reset(insert);
    insert.bind(1, info.id);
    insert.bind_text_or_null(2, title);
    insert.bind(3, created);
    auto row = insert.step();
    if (!row) return tl::unexpected(row.error());
    if (*row) info.updated_at_ms = insert.int64(0);
    return info;
  }
}

Result<std::vector<SessionInfo>> Store::list_sessions(std::size_t limit) {
  std::lock_guard lock(impl_->mutex);
  return impl_->sessions(limit);
}

Result<std::optional<SessionInfo>> Store::latest_session() {
  std::lock_guard lock(impl_->mutex);
  auto sessions = impl_->sessions(1);
  if (!sessions) return tl::unexpected(sessions.error());
  if (sessions->empty()) return std::optional<SessionInfo>();
  return std::optional<SessionInfo>(std::move(sessions->front()));
}

Result<bool> Store::session_exists(std::string_view session_id) {
  std::lock_guard lock(impl_->mutex);
  return impl_->exists(session_id);
}

Result<void> Store::set_title(std::string_view session_id, std::string_view title) {
  std::lock_guard lock(impl_->mutex);
  auto& update = impl_->set_title;
  Statement::Reset reset(update);
  update.bind(1, session_id);
  update.bind_text_or_null(2, title);
  if (auto done = update.run(); !done) return done;
  if (impl_->db.changes() == 0) return tl::unexpected(unknown_session(session_id));
  return {};
}

Result<std::vector<StoredMessage>> Store::load_messages(std::string_view session_id) {
  std::lock_guard lock(impl_->mutex);
  auto exists = impl_->exists(session_id);
  if (!exists) return tl::unexpected(exists.error());
  if (!*exists) return tl::unexpected(unknown_session(session_id));
  auto& load = impl_->load_messages;
  Statement::Reset reset(load);
  load.bind(1, session_id);
  std::vector<StoredMessage> out;
  while (true) {
    auto row = load.step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    StoredMessage m;
    m.seq = load.int64(0);
    // The schema's CHECK constraints keep these parses total.
    m.role = parse_role(load.text(1)).value_or(Role::user);
    m.content = load.text(2);
    m.tool_calls = load.text(3);
    m.tool_call_id = load.text(4);
    m.tool_name = load.text(5);
    m.status = parse_status(load.text(6)).value_or(MessageStatus::complete);
    m.created_at_ms = load.int64(7);
    out.push_back(std::move(m));
  }
}

Result<std::int64_t> Store::append_message(std::string_view session_id,
                                           const StoredMessage& message) {
  if (auto ok = check_message(message); !ok) return tl::unexpected(ok.error());
  std::lock_guard lock(impl_->mutex);
  auto tx = Transaction::begin(impl_->db);
  if (!tx) return tl::unexpected(tx.error());
  auto exists = impl_->exists(session_id);
  if (!exists) return tl::unexpected(exists.error());
  if (!*exists) return tl::unexpected(unknown_session(session_id));

  std::int64_t seq = 0;
  {
    auto& next = impl_->next_seq;
    Statement::Reset reset(next);
    next.bind(1, session_id);
    auto row = next.step();
    if (!row) return tl::unexpected(row.error());
    seq = next.int64(0);
  }
  const std::int64_t at = now_ms();
  {
    auto& insert = impl_->insert_message;
    Statement::Reset reset(insert);
    insert.bind(1, session_id);
    insert.bind(2, seq);
    insert.bind(3, to_string(message.role));
    insert.bind(4, message.content);
    insert.bind_text_or_null(5, message.tool_calls);
    insert.bind_text_or_null(6, message.tool_call_id);
    insert.bind_text_or_null(7, message.tool_name);
    insert.bind(8, to_string(message.status));
    insert.bind(9, at);
    if (auto done = insert.run(); !done) return tl::unexpected(done.error());
  }
  {
    auto& touch = impl_->touch_session;
    Statement::Reset reset(touch);
    touch.bind(1, session_id);
    touch.bind(2, at);
    if (auto done = touch.run(); !done) return tl::unexpected(done.error());
  }
  if (auto done = tx->commit(); !done) return tl::unexpected(done.error());
  return seq;
}

Result<void> Store::update_message(std::string_view session_id, std::int64_t seq,
                                   const StoredMessage& message) {
  if (auto ok = check_message(message); !ok) return ok;
  std::lock_guard lock(impl_->mutex);
  auto tx = Transaction::begin(impl_->db);
  if (!tx) return tl::unexpected(tx.error());
  {
    auto& update = impl_->update_message;
    Statement::Reset reset(update);
    update.bind(1, session_id);
    update.bind(2, seq);
    update.bind(3, message.content);
    update.bind_text_or_null(4, message.tool_calls);
    update.bind(5, to_string(message.status));
    if (auto done = update.run(); !done) return done;
    if (impl_->db.changes() == 0) {
      return fail(ErrorCode::invalid_arguments,
                  "no message " + std::to_string(seq) + " in session " + std::string(session_id));
    }
  }
  {
    auto& touch = impl_->touch_session;
    Statement::Reset reset(touch);
    touch.bind(1, session_id);
    touch.bind(2, now_ms());
    if (auto done = touch.run(); !done) return done;
  }
  return tx->commit();
}

}  // namespace oxydra::memory
