#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/memory/message.h"
#include "oxydra/types/error.h"

namespace oxydra::memory {

// The schema version this build writes; a database with a newer one is refused.
int latest_schema_version();

// The conversation store: one SQLite file (the agent uses
// `<workspace>/<user>/internal/memory.db`), WAL mode, mode 0600. Every append
// commits on its own, so a crash loses at most the message being written.
// Safe to use from several threads; not meant to be shared between processes
// beyond SQLite's own locking.
//
// Errors name the file: "open /x/internal/memory.db: unable to open database
// file". Codes: `storage` (SQLite or I/O), `schema_too_new`,
// `unknown_session`, `invalid_argument`.
class Store {
 public:
  // Creates the file if missing (the directory must exist) and migrates it.
  static Result<Store> open(const std::string& path);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::string& path() const;
  int schema_version() const;

  // A new session with an id like "chat-20240501-120000-1a2b3c4d".
  Result<SessionInfo> create_session(std::string_view title = {});
  // Most recently active first; limit 0 means all.
  Result<std::vector<SessionInfo>> list_sessions(std::size_t limit = 0);
  // The most recently active session, if any (the one to resume).
  Result<std::optional<SessionInfo>> latest_session();
  Result<bool> session_exists(std::string_view session_id);
  Result<void> set_title(std::string_view session_id, std::string_view title);

  // All messages of a session in order, including any left `in_flight`.
  Result<std::vector<StoredMessage>> load_messages(std::string_view session_id);
  // Appends and commits; returns the message's seq.
  Result<std::int64_t> append_message(std::string_view session_id, const StoredMessage& message);
  // Rewrites a message's content, tool calls and status (e.g. finishing a
  // streamed assistant message that was appended `in_flight`).
  Result<void> update_message(std::string_view session_id, std::int64_t seq,
                              const StoredMessage& message);

  class Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace oxydra::memory
