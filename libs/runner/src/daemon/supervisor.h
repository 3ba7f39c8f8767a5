#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <asio.hpp>

#include "oxydra/runner/backend.h"
#include "oxydra/types/runner_config.h"

namespace oxydra::runner {

// The delay before restart number `attempt` (0 for the first):
// restart_backoff_ms doubled per attempt, capped at restart_backoff_max_ms.
std::chrono::milliseconds restart_delay(const SupervisionConfig& config, int attempt);

enum class GuestState { starting, running, restarting, failed, stopped };
std::string_view to_string(GuestState state);

struct GuestRecord {
  GuestHandle handle;
  GuestState state = GuestState::starting;
  bool ever_ready = false;  // only a guest that was ready once is restarted
  std::chrono::steady_clock::time_point started_at;
  int restarts_in_window = 0;  // reset after restart_reset_secs of uptime
  int restarts_total = 0;
  std::optional<GuestExit> last_exit;
  std::string last_event;  // one line for health: what happened last
};

// Watches the guests: reaps every child of the runner (SIGCHLD; the runner is
// a child subreaper, so this includes orphans of its guests), turns an
// unexpected exit of a guest that was ready into a restart after a backoff, up
// to restart_max per window, and records what happened for health.
class Supervisor {
 public:
  // `restart` starts the role again (asynchronously); it reports back with
  // started() and ready(), or restart_failed().
  using RestartFn = std::function<void(GuestRole)>;
  using PollFn = std::function<std::optional<GuestExit>(const GuestHandle&)>;

  Supervisor(asio::io_context& io, const SupervisionConfig& config, RestartFn restart, PollFn poll);

  void started(GuestHandle handle);
  void ready(GuestRole role);
  void restart_failed(GuestRole role, const std::string& why);
  // The runner stopped (and reaped) the guest itself.
  void stopped(GuestRole role);
  // From now on every exit is expected (shutdown).
  void stopping();
  bool is_stopping() const { return stopping_; }

  // A guest still alive, not yet reaped: what stop() may signal.
  std::optional<GuestHandle> live(GuestRole role) const;
  const GuestRecord* record(GuestRole role) const;
  // Reaps what has exited now (also called right after a start).
  void reap();

 private:
  void on_exit(GuestRole role, const GuestExit& exit);
  void schedule_restart(GuestRole role, GuestRecord& record, const std::string& what);
  void wait_signal();
  void poll_tick();

  asio::io_context& io_;
  SupervisionConfig config_;
  RestartFn restart_;
  PollFn poll_;
  asio::signal_set sigchld_;
  asio::steady_timer poll_timer_;
  std::map<GuestRole, GuestRecord> guests_;
  std::map<GuestRole, std::unique_ptr<asio::steady_timer>> restart_timers_;
  bool stopping_ = false;
};

}  // namespace oxydra::runner
