#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oxydra/memory/store.h"
#include "oxydra/runtime/conversation.h"
#include "oxydra/types/gateway_messages.h"

namespace oxydra::gateway {

// One session as the gateway tracks it. `conversation` is loaded by the first
// turn and then touched only by the session's running turn (one at a time);
// the rest belongs to the server thread.
struct SessionState {
  std::string id;
  std::optional<runtime::Conversation> conversation;
  bool busy = false;
  std::int64_t created_at_ms = 0;  // memory disabled: kept here instead
  std::int64_t updated_at_ms = 0;
  std::uint64_t message_count = 0;  // as of the last finished turn
};

// The agent's sessions: in memory::Store when memory is enabled, otherwise
// only for this process's lifetime. The "current" session is the one a hello
// without session_id gets: at start the most recently active one.
class SessionRegistry {
 public:
  explicit SessionRegistry(std::shared_ptr<memory::Store> store);

  // The current session, created if there is none yet.
  Result<std::string> current();
  // A new session, which becomes current.
  Result<std::string> create();
  // Makes an existing session current; code unknown_session otherwise.
  Result<void> select(const std::string& id);
  Result<bool> exists(const std::string& id);
  // Most recently active first.
  Result<std::vector<gateway_rpc::SessionSummary>> list();

  // The session's state, made on first use; the session must exist.
  std::shared_ptr<SessionState> state(const std::string& id);
  // A turn of the session finished (memory disabled: its bookkeeping).
  void touch(const std::string& id, std::uint64_t message_count);

  const std::shared_ptr<memory::Store>& store() const { return store_; }

 private:
  std::shared_ptr<memory::Store> store_;
  std::optional<std::string> current_;
  std::map<std::string, std::shared_ptr<SessionState>> states_;
};

// RFC 3339 UTC with milliseconds: "2024-05-01T10:00:00.123Z".
std::string rfc3339_ms(std::int64_t unix_ms);

}  // namespace oxydra::gateway
