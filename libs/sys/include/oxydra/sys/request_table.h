#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace oxydra::sys {

// The request-id multiplexer of a connection shared by concurrent callers:
// each caller registers its waiter under its request id before writing the
// request, the connection's reader routes every incoming message to the
// waiter of its id, and when the connection ends the table closes and hands
// back every waiter still registered, so each can be failed. A closed table
// accepts no new request: replies are never carried over to a new connection.
// How a waiter waits (a queue, a callback, a promise) is the protocol's own.
template <typename Waiter>
class RequestTable {
 public:
  // False once closed.
  bool add(std::string id, Waiter waiter) {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    entries_.insert_or_assign(std::move(id), std::move(waiter));
    return true;
  }

  // The waiter of `id`, if one waits; stays registered.
  std::optional<Waiter> find(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  // A caller that gave up, or whose request is answered.
  void remove(const std::string& id) {
    std::lock_guard lock(mu_);
    entries_.erase(id);
  }

  // Closes the table; the waiters that were still registered, with their ids.
  std::vector<std::pair<std::string, Waiter>> close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    std::vector<std::pair<std::string, Waiter>> left;
    left.reserve(entries_.size());
    for (auto& entry : entries_)
      left.emplace_back(entry.first, std::move(entry.second));
    entries_.clear();
    return left;
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Waiter> entries_;
  bool closed_ = false;
};

}  // namespace oxydra::sys
