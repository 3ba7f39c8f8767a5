#include "daemon/supervisor.h"

#include <sys/wait.h>

#include <algorithm>
#include <cerrno>

#include <spdlog/spdlog.h>

namespace oxydra::runner {

namespace {

constexpr auto kPollInterval = std::chrono::seconds(1);

GuestExit exit_from_status(int status) {
  GuestExit exit;
  if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
  if (WIFEXITED(status)) exit.exit_code = WEXITSTATUS(status);
  return exit;
}

}  // namespace

std::chrono::milliseconds restart_delay(const SupervisionConfig& config, int attempt) {
  std::int64_t delay = config.restart_backoff_ms;
  for (int i = 0; i < attempt && delay < config.restart_backoff_max_ms; ++i)
    delay *= 2;
  return std::chrono::milliseconds(std::min(delay, config.restart_backoff_max_ms));
}

std::string_view to_string(GuestState state) {
  switch (state) {
    case GuestState::starting:
      return "starting";
    case GuestState::running:
      return "running";
    case GuestState::restarting:
      return "restarting";
    case GuestState::failed:
      return "failed";
    case GuestState::stopped:
      return "stopped";
  }
  return "unknown";
}

Supervisor::Supervisor(asio::io_context& io, const SupervisionConfig& config, RestartFn restart,
                       PollFn poll)
    : io_(io),
      config_(config),
      restart_(std::move(restart)),
      poll_(std::move(poll)),
      sigchld_(io, SIGCHLD),
      poll_timer_(io) {
  wait_signal();
  poll_tick();
}

void Supervisor::wait_signal() {
  sigchld_.async_wait([this](const std::error_code& ec, int) {
    if (ec) return;
    reap();
    wait_signal();
  });
}

void Supervisor::poll_tick() {
  poll_timer_.expires_after(kPollInterval);
  poll_timer_.async_wait([this](const std::error_code& ec) {
    if (ec) return;
    for (auto& [role, record] : guests_) {
      if (record.handle.pid || record.state == GuestState::failed ||
          record.state == GuestState::stopped || record.state == GuestState::restarting) {
        continue;
      }
      if (auto exit = poll_(record.handle)) on_exit(role, *exit);
    }
    poll_tick();
  });
}

void Supervisor::reap() {
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;  // 0: children left but none exited; -1 ECHILD: none left
    bool guest = false;
    for (auto& [role, record] : guests_) {
      if (record.handle.pid == pid) {
        guest = true;
        record.handle.pid.reset();
        on_exit(role, exit_from_status(status));
        break;
      }
    }
    if (!guest) spdlog::debug("reaped orphaned process {}", pid);
  }
}

void Supervisor::started(GuestHandle handle) {
  auto& record = guests_[handle.role];
  record.handle = std::move(handle);
  record.state = GuestState::starting;
  record.started_at = std::chrono::steady_clock::now();
}

void Supervisor::ready(GuestRole role) {
  auto& record = guests_[role];
  record.state = GuestState::running;
  if (record.ever_ready) {
    record.last_event = std::string(to_string(role)) + " restarted (" + record.handle.describe +
                        "); restarts so far: " + std::to_string(record.restarts_total);
    spdlog::info("{}", record.last_event);
  }
  record.ever_ready = true;
}

void Supervisor::on_exit(GuestRole role, const GuestExit& exit) {
  auto& record = guests_[role];
  record.last_exit = exit;
  const std::string what =
      std::string(to_string(role)) + " (" + record.handle.describe + ") " + exit.describe();
  if (stopping_) {
    record.state = GuestState::stopped;
    spdlog::info("{}", what);
    return;
  }
  if (!record.ever_ready) {
    // The first start is reported by the startup itself, which fails the run.
    record.state = GuestState::failed;
    record.last_event = what + " during startup";
    return;
  }
  schedule_restart(role, record, what + " unexpectedly");
}

void Supervisor::restart_failed(GuestRole role, const std::string& why) {
  auto& record = guests_[role];
  if (stopping_) return;
  schedule_restart(role, record, std::string(to_string(role)) + " restart failed: " + why);
}

void Supervisor::schedule_restart(GuestRole role, GuestRecord& record, const std::string& what) {
  const auto uptime = std::chrono::steady_clock::now() - record.started_at;
  if (record.state == GuestState::running &&
      uptime >= std::chrono::seconds(config_.restart_reset_secs)) {
    record.restarts_in_window = 0;
  }
  if (record.restarts_in_window >= config_.restart_max) {
    record.state = GuestState::failed;
    record.last_event = what + "; not restarting: " + std::to_string(record.restarts_in_window) +
                        " restarts used (restart_max " + std::to_string(config_.restart_max) + ")";
    spdlog::error("{}", record.last_event);
    return;
  }
  const auto delay = restart_delay(config_, record.restarts_in_window);
  ++record.restarts_in_window;
  ++record.restarts_total;
  record.state = GuestState::restarting;
  record.last_event = what + "; restarting in " + std::to_string(delay.count()) + " ms (attempt " +
                      std::to_string(record.restarts_in_window) + " of " +
                      std::to_string(config_.restart_max) + ")";
  spdlog::warn("{}", record.last_event);
  auto& timer = restart_timers_[role];
  timer = std::make_unique<asio::steady_timer>(io_, delay);
  timer->async_wait([this, role](const std::error_code& ec) {
    if (ec || stopping_) return;
    restart_(role);
  });
}

void Supervisor::stopped(GuestRole role) {
  auto it = guests_.find(role);
  if (it == guests_.end()) return;
  it->second.handle.pid.reset();
  it->second.handle.guest_id.reset();
  it->second.state = GuestState::stopped;
}

void Supervisor::stopping() {
  stopping_ = true;
  for (auto& [role, timer] : restart_timers_) {
    if (timer) timer->cancel();
  }
  poll_timer_.cancel();
  for (auto& [role, record] : guests_) {
    if (record.state == GuestState::restarting) record.state = GuestState::stopped;
  }
}

std::optional<GuestHandle> Supervisor::live(GuestRole role) const {
  auto it = guests_.find(role);
  if (it == guests_.end()) return std::nullopt;
  const auto& record = it->second;
  if (record.state == GuestState::failed || record.state == GuestState::stopped ||
      record.state == GuestState::restarting) {
    return std::nullopt;
  }
  if (!record.handle.pid && !record.handle.guest_id) return std::nullopt;
  return record.handle;
}

const GuestRecord* Supervisor::record(GuestRole role) const {
  auto it = guests_.find(role);
  return it == guests_.end() ? nullptr : &it->second;
}

}  // namespace oxydra::runner
