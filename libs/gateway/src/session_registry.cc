#include "session_registry.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace oxydra::gateway {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Same shape as the store's ids, for sessions kept only in memory.
std::string memory_session_id() {
  thread_local std::mt19937 engine{std::random_device{}()};
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "chat-%04d%02d%02d-%02d%02d%02d-%08x", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<unsigned>(engine()));
  return buf;
}

}  // namespace

std::string rfc3339_ms(std::int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return buf;
}

SessionRegistry::SessionRegistry(std::shared_ptr<memory::Store> store) : store_(std::move(store)) {}

Result<std::string> SessionRegistry::current() {
  if (current_) return *current_;
  if (store_) {
    auto latest = store_->latest_session();
    if (!latest) return tl::unexpected(latest.error());
    if (*latest) return *(current_ = (*latest)->id);
  }
  return create();
}

Result<std::string> SessionRegistry::create() {
  std::string id;
  if (store_) {
    auto info = store_->create_session();
    if (!info) return tl::unexpected(info.error());
    id = info->id;
  } else {
    id = memory_session_id();
    auto state = std::make_shared<SessionState>();
    state->id = id;
    state->created_at_ms = state->updated_at_ms = now_ms();
    states_[id] = std::move(state);
  }
  current_ = id;
  return id;
}

Result<bool> SessionRegistry::exists(const std::string& id) {
  if (store_) return store_->session_exists(id);
  return states_.count(id) > 0;
}

Result<void> SessionRegistry::select(const std::string& id) {
  auto found = exists(id);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return fail(ErrorCode::unknown_session, "unknown session: " + id);
  current_ = id;
  return {};
}

Result<std::vector<gateway_rpc::SessionSummary>> SessionRegistry::list() {
  std::vector<gateway_rpc::SessionSummary> out;
  if (store_) {
    auto sessions = store_->list_sessions();
    if (!sessions) return tl::unexpected(sessions.error());
    for (const auto& s : *sessions) {
      out.push_back({s.id, rfc3339_ms(s.created_at_ms), rfc3339_ms(s.updated_at_ms),
                     static_cast<std::uint64_t>(s.message_count)});
    }
    return out;
  }
  std::vector<const SessionState*> states;
  for (const auto& [id, state] : states_)
    states.push_back(state.get());
  std::sort(states.begin(), states.end(), [](const SessionState* a, const SessionState* b) {
    return a->updated_at_ms > b->updated_at_ms;
  });
  for (const SessionState* s : states) {
    out.push_back(
        {s->id, rfc3339_ms(s->created_at_ms), rfc3339_ms(s->updated_at_ms), s->message_count});
  }
  return out;
}

std::shared_ptr<SessionState> SessionRegistry::state(const std::string& id) {
  auto& slot = states_[id];
  if (!slot) {
    slot = std::make_shared<SessionState>();
    slot->id = id;
  }
  return slot;
}

void SessionRegistry::touch(const std::string& id, std::uint64_t message_count) {
  if (auto it = states_.find(id); it != states_.end()) {
    it->second->updated_at_ms = now_ms();
    it->second->message_count = message_count;
  }
}

}  // namespace oxydra::gateway
