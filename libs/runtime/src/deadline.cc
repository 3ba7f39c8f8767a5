#include "deadline.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace oxydra::runtime {

namespace {

using Clock = std::chrono::steady_clock;

class Watchdog {
 public:
  static Watchdog& instance() {
    static Watchdog watchdog;
    return watchdog;
  }

  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  std::uint64_t arm(Clock::time_point at, std::function<void()> fn) {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    const std::uint64_t id = ++next_id_;
    entries_.emplace(id, Entry{at, std::move(fn)});
    by_time_.emplace(at, id);
    changed_.notify_all();
    return id;
  }

  void disarm(std::uint64_t id) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return running_ != id; });
    auto it = entries_.find(id);
    if (it == entries_.end()) return;  // it already fired
    by_time_.erase(find_in_time(it->second.at, id));
    entries_.erase(it);
  }

 private:
  struct Entry {
    Clock::time_point at;
    std::function<void()> fn;
  };

  std::multimap<Clock::time_point, std::uint64_t>::iterator find_in_time(Clock::time_point at,
                                                                         std::uint64_t id) {
    auto [first, last] = by_time_.equal_range(at);
    for (auto it = first; it != last; ++it)
      if (it->second == id) return it;
    return by_time_.end();
  }

  void loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      if (by_time_.empty()) {
        changed_.wait(lock);
        continue;
      }
      const auto next = by_time_.begin();
      // A copy: wait_until reads its argument while the lock is released, and
      // disarm() may erase that entry meanwhile.
      const Clock::time_point when = next->first;
      if (Clock::now() < when) {
        changed_.wait_until(lock, when);
        continue;
      }
      const std::uint64_t id = next->second;
      by_time_.erase(next);
      auto entry = entries_.extract(id);
      running_ = id;
      lock.unlock();
      entry.mapped().fn();
      lock.lock();
      running_ = 0;
      changed_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::uint64_t, Entry> entries_;
  std::multimap<Clock::time_point, std::uint64_t> by_time_;
  std::uint64_t next_id_ = 0;
  std::uint64_t running_ = 0;  // the deadline whose callback is running
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

Deadline::Deadline(std::chrono::milliseconds timeout, std::function<void()> on_expiry)
    : id_(Watchdog::instance().arm(Clock::now() + timeout, std::move(on_expiry))) {}

Deadline::~Deadline() {
  Watchdog::instance().disarm(id_);
}

}  // namespace oxydra::runtime
