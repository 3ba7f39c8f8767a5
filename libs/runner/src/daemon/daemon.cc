#include "daemon/daemon.h"

#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <vector>

#include <spdlog/spdlog.h>
#include <asio.hpp>

#include "backends/container/guest_ids.h"
#include "backends/stale_files.h"
#include "cli/cli_errors.h"
#include "cli/control_client.h"
#include "cli/status_format.h"
#include "daemon/control_server.h"
#include "daemon/credentials.h"
#include "daemon/egress_proxy.h"
#include "daemon/envelope_builder.h"
#include "daemon/health.h"
#include "daemon/log_capture.h"
#include "daemon/log_reader.h"
#include "daemon/provisioning.h"
#include "daemon/readiness.h"
#include "daemon/runner_lock.h"
#include "daemon/service_notify.h"
#include "daemon/supervisor.h"
#include "daemon/timestamps.h"
#include "daemon/warning.h"
#include "oxydra/runner/backend.h"
#include "oxydra/types/frame.h"

namespace oxydra::runner {

namespace {

using Clock = std::chrono::steady_clock;

class Daemon final : public ControlHandler {
 public:
  Daemon(UserContext context, const DaemonHooks& hooks)
      : context_(std::move(context)),
        hooks_(hooks),
        logs_(io_, context_.policy.layout.logs, context_.selection.runner.logs,
              context_.policy.user_id),
        control_(io_, *this, [this] { shutdown(); }),
        signals_(io_, SIGINT, SIGTERM),
        stop_timer_(io_) {}

  int run();

  const std::string& user_id() const override { return context_.policy.user_id; }
  nlohmann::json health(const std::string& request_id) override;
  bool already_stopping() const override { return phase_ == RunnerPhase::stopping; }
  Result<control_rpc::LogsReply> logs(const control_rpc::LogsRequest& request,
                                      bool& truncated) override;
  std::optional<std::string> agent_socket() const override;

 private:
  Result<void> prepare();
  // The guests' egress proxy (container and micro_vm tiers).
  Result<void> open_egress();
  asio::awaitable<void> startup();
  asio::awaitable<Result<void>> start_sidecar();
  asio::awaitable<Result<void>> start_runtime();
  asio::awaitable<Result<void>> wait_ready(GuestRole role, std::string socket, std::string op,
                                           std::string what);
  // A guest that ended while starting: its last lines of stderr, and where its logs are.
  asio::awaitable<Error> with_last_words(GuestRole role, Error error);
  void restart(GuestRole role);
  void shutdown();
  StartupStatusReport current_status() const;

  asio::io_context io_;  // first: destroyed last, after everything holding handlers
  UserContext context_;
  DaemonHooks hooks_;
  // Taken from the environment before any child starts.
  ServiceNotifier notifier_ = ServiceNotifier::from_environment();
  LogCapture logs_;
  ControlServer control_;
  asio::signal_set signals_;
  asio::steady_timer stop_timer_;
  // Before the backend: released only after the backend's teardown (its
  // unmounts), since `stop` and the next start go by the lock.
  std::optional<RunnerLock> lock_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<Supervisor> supervisor_;
  std::unique_ptr<EgressProxy> egress_;
  ResolvedCredentials credentials_;
  PairState pair_;
  std::optional<ChannelEndpoint> sidecar_endpoint_;       // for the envelope
  std::optional<ChannelEndpoint> sidecar_host_endpoint_;  // for exec
  RunnerPhase phase_ = RunnerPhase::starting;
  Clock::time_point started_at_ = Clock::now();
  int exit_code_ = kExitOk;
};

namespace {

Result<std::optional<gid_t>> operator_group_id(const RunnerConfig& runner) {
  const std::string& name = runner.policy.operator_group;
  if (name.empty()) return std::nullopt;
  std::vector<char> buffer(16384);
  group entry{};
  group* found = nullptr;
  const int error = ::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (error != 0 || !found) {
    return fail(ErrorCode::invalid_config, runner.source + ": policy.operator_group: no group \"" +
                                               name + "\" on this host (groupadd " + name + ")");
  }
  return found->gr_gid;
}

}  // namespace

Result<void> Daemon::open_egress() {
  const auto& policy = context_.policy;
  const std::filesystem::path socket = egress_socket(policy.layout);
  std::error_code ec;
  std::filesystem::create_directory(socket.parent_path(), ec);
  if (ec) return tl::unexpected(errno_error("mkdir " + socket.parent_path().string(), ec.value()));
  if (::chmod(socket.parent_path().c_str(), 0711) != 0)
    return tl::unexpected(errno_error("chmod 0711 " + socket.parent_path().string(), errno));
  const uid_t guest =
      backend_->egress_peer().value_or(backend_->data_owner().value_or(guest_host_uid(user_id())));
  auto proxy =
      EgressProxy::open(io_, socket.string(), guest, context_.selection.runner.policy.egress_allow);
  if (!proxy) return tl::unexpected(proxy.error());
  egress_ = std::move(*proxy);
  return {};
}

Result<void> Daemon::prepare() {
  const auto& runner = context_.selection.runner;
  auto backend = make_backend(context_.policy.tier,
                              BackendContext{runner, context_.policy, context_.agent, logs_});
  if (!backend) return tl::unexpected(backend.error());
  backend_ = std::move(*backend);
  auto credentials = resolve_credentials(context_.user.credential_refs, context_.agent, {},
                                         user_secrets_dir(runner, user_id()));
  if (!credentials) return tl::unexpected(credentials.error());
  credentials_ = std::move(*credentials);
  auto operator_gid = operator_group_id(runner);
  if (!operator_gid) return tl::unexpected(operator_gid.error());
  if (auto provisioned =
          provision_workspace(context_.policy, backend_->data_owner(), *operator_gid);
      !provisioned)
    return provisioned;
  auto lock = RunnerLock::acquire(lock_file(context_.policy.layout.root), user_id());
  if (!lock) return tl::unexpected(lock.error());
  lock_.emplace(std::move(*lock));
  if (backend_->tier() == SandboxTier::process) {
    std::fputs(insecure_warning(user_id()).c_str(), stderr);
  }
  const std::string control = control_socket_path(context_.policy.layout);
  if (auto cleaned = remove_stale_socket(control); !cleaned) return cleaned;
  if (auto cleaned = backend_->clean_stale(); !cleaned) return cleaned;
  if (backend_->tier() != SandboxTier::process) {
    if (auto opened = open_egress(); !opened) return opened;
  }
  // Orphans of the guests are reparented to the runner and reaped by the supervisor.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    spdlog::warn("PR_SET_CHILD_SUBREAPER: {}", std::strerror(errno));
  }
  supervisor_ = std::make_unique<Supervisor>(
      io_, runner.supervision, [this](GuestRole role) { restart(role); },
      [this](const GuestHandle& guest) { return backend_->poll_exit(guest); });
  pair_.tier_degraded = backend_->tier_degraded();
  return control_.listen(control, *operator_gid);
}

int Daemon::run() {
  ::signal(SIGPIPE, SIG_IGN);
  if (auto prepared = prepare(); !prepared) {
    return report_error(prepared.error(), context_.selection);
  }
  signals_.async_wait([this](const std::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping user {}", sig, user_id());
    shutdown();
  });
  asio::co_spawn(io_, startup(), asio::detached);
  io_.run();
  return exit_code_;
}

asio::awaitable<void> Daemon::startup() {
  spdlog::info("starting user {} on the {} tier", user_id(), to_string(backend_->tier()));
  Result<void> started;
  if (backend_->has_sidecar()) {
    // oxydra-vm boots while shell-vm starts; it gets its envelope once the
    // shell has answered (the envelope carries the shell's status).
    started = backend_->begin_runtime();
    if (started) started = co_await start_sidecar();
  }
  if (started) started = co_await start_runtime();
  if (phase_ == RunnerPhase::stopping) co_return;  // a signal or stop came first
  if (!started) {
    exit_code_ = report_error(started.error(), context_.selection);
    shutdown();
    co_return;
  }
  phase_ = RunnerPhase::running;
  std::cout << format_status(health("startup")) << std::flush;
  spdlog::info("user {} is ready", user_id());
  notifier_.ready("user " + user_id() + " ready on the " +
                  std::string(to_string(backend_->tier())) + " tier");
  if (hooks_.on_ready) hooks_.on_ready();
}

asio::awaitable<Result<void>> Daemon::start_sidecar() {
  auto sidecar = backend_->start_sidecar();
  if (!sidecar) {
    if (sidecar.error().code != ErrorCode::guest_exited) co_return tl::unexpected(sidecar.error());
    co_return tl::unexpected(co_await with_last_words(GuestRole::sidecar, sidecar.error()));
  }
  supervisor_->started(sidecar->guest);
  supervisor_->reap();
  sidecar_endpoint_ = sidecar->endpoint;
  sidecar_host_endpoint_ = sidecar->host_endpoint;
  if (sidecar->host_endpoint.transport != ChannelTransport::unix_socket) {
    co_return fail(ErrorCode::internal,
                   "the readiness probe cannot reach a " +
                       std::string(to_string(sidecar->host_endpoint.transport)) + " host endpoint");
  }
  auto ready = co_await wait_ready(GuestRole::sidecar, sidecar->host_endpoint.address, "hello",
                                   "the shell daemon in shell-vm");
  if (!ready) co_return ready;
  spdlog::info("shell ready: {} answered hello", sidecar->guest.describe);
  pair_.sidecar_available = true;
  pair_.enforcement.sidecar = sidecar->guest.enforcement;
  pair_.sidecar_degraded = sidecar->guest.degraded;
  supervisor_->ready(GuestRole::sidecar);
  co_return Result<void>{};
}

asio::awaitable<Result<void>> Daemon::start_runtime() {
  auto make_envelope = [this](const GuestHandle& runtime) -> Result<BootstrapEnvelope> {
    pair_.enforcement.runtime = runtime.enforcement;
    pair_.runtime_degraded = runtime.degraded;
    return build_envelope(context_, credentials_, current_status(), sidecar_endpoint_);
  };
  auto runtime = backend_->start_runtime(make_envelope);
  if (!runtime) {
    if (runtime.error().code != ErrorCode::guest_exited) co_return tl::unexpected(runtime.error());
    co_return tl::unexpected(co_await with_last_words(GuestRole::runtime, runtime.error()));
  }
  spdlog::info("started {}", runtime->describe);
  supervisor_->started(*runtime);
  supervisor_->reap();
  auto ready = co_await wait_ready(GuestRole::runtime, gateway_socket(context_.policy.layout),
                                   "health", "the oxydra-vm gateway");
  if (!ready) co_return ready;
  supervisor_->ready(GuestRole::runtime);
  co_return Result<void>{};
}

asio::awaitable<Result<void>> Daemon::wait_ready(GuestRole role, std::string socket, std::string op,
                                                 std::string what) {
  ReadinessProbe probe;
  probe.socket_path = std::move(socket);
  probe.op = std::move(op);
  probe.what = std::move(what);
  probe.deadline = Clock::now() +
                   std::chrono::seconds(context_.selection.runner.supervision.startup_timeout_secs);
  probe.gone = [this, role]() -> std::optional<std::string> {
    const GuestRecord* record = supervisor_->record(role);
    if (phase_ == RunnerPhase::stopping) return std::string("the runner is stopping");
    if (!record || record->handle.pid || record->handle.guest_id) return std::nullopt;
    return record->handle.describe + " " +
           (record->last_exit ? record->last_exit->describe() : std::string("ended"));
  };
  auto ready = co_await wait_until_ready(probe);
  if (ready) co_return ready;
  Error error = ready.error();
  if (error.code == ErrorCode::guest_exited) {
    error.message += " during startup";
    error = co_await with_last_words(role, error);
    co_return tl::unexpected(error);
  }
  if (auto live = supervisor_->live(role)) {
    backend_->stop(*live,
                   std::chrono::seconds(context_.selection.runner.supervision.stop_timeout_secs));
    supervisor_->stopped(role);
  }
  co_return tl::unexpected(co_await with_last_words(role, error));
}

asio::awaitable<Error> Daemon::with_last_words(GuestRole role, Error error) {
  if (error.code == ErrorCode::guest_exited) {
    // Let the log pumps reach end of file, so the guest's last words are in.
    asio::steady_timer timer(io_);
    for (int i = 0; i < 40 && !logs_.drained(role); ++i) {
      timer.expires_after(std::chrono::milliseconds(25));
      co_await timer.async_wait(asio::use_awaitable);
    }
    for (const auto& line : logs_.recent_stderr(role))
      error.message += "\n  | " + line;
  }
  error.message += "\n  (guest logs: " + context_.policy.layout.logs.string() + ")";
  co_return error;
}

void Daemon::restart(GuestRole role) {
  asio::co_spawn(
      io_,
      [this, role]() -> asio::awaitable<void> {
        auto started =
            role == GuestRole::runtime ? co_await start_runtime() : co_await start_sidecar();
        // An exit during the wait was already seen, and handled, by the supervisor.
        if (!started && started.error().code != ErrorCode::guest_exited) {
          supervisor_->restart_failed(role, started.error().message);
        }
      },
      asio::detached);
}

void Daemon::shutdown() {
  if (phase_ == RunnerPhase::stopping) return;
  phase_ = RunnerPhase::stopping;
  spdlog::info("stopping user {}", user_id());
  notifier_.stopping();
  const auto grace = std::chrono::seconds(context_.selection.runner.supervision.stop_timeout_secs);
  if (supervisor_) {
    supervisor_->stopping();
    for (GuestRole role : {GuestRole::runtime, GuestRole::sidecar}) {
      if (auto live = supervisor_->live(role)) {
        backend_->stop(*live, grace);
        supervisor_->stopped(role);
      }
    }
  }
  if (backend_) {
    if (auto cleaned = backend_->clean_stale(); !cleaned)
      spdlog::warn("{}", cleaned.error().message);
  }
  control_.close();
  signals_.cancel();
  // A moment for the log pumps to write the guests' last lines, then stop.
  stop_timer_.expires_after(std::chrono::milliseconds(200));
  stop_timer_.async_wait([this](const std::error_code&) { io_.stop(); });
}

StartupStatusReport Daemon::current_status() const {
  return startup_status(context_.policy, pair_);
}

nlohmann::json Daemon::health(const std::string& request_id) {
  HealthInputs in;
  in.request_id = request_id;
  in.user_id = user_id();
  in.phase = phase_;
  in.startup_status = current_status();
  in.runtime = supervisor_ ? supervisor_->record(GuestRole::runtime) : nullptr;
  in.sidecar = supervisor_ ? supervisor_->record(GuestRole::sidecar) : nullptr;
  in.tier_has_sidecar = backend_ && backend_->has_sidecar();
  in.uptime_secs = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_at_).count());
  in.log_dir = context_.policy.layout.logs.string();
  in.gateway_socket = gateway_socket(context_.policy.layout);
  in.control_socket = control_socket_path(context_.policy.layout);
  in.sidecar_endpoint = sidecar_host_endpoint_;
  in.runner_pid = ::getpid();
  const auto why = [&](const ToolGrant& grant) {
    if (!grant.enabled) return grant.reason;
    for (const auto& reason : pair_.tier_degraded)
      return reason.code;
    return std::string(degraded::kSidecarUnavailable);
  };
  in.shell_reason = why(context_.policy.shell);
  in.browser_reason = why(context_.policy.browser);
  return health_json(in);
}

std::optional<std::string> Daemon::agent_socket() const {
  const GuestRecord* runtime = supervisor_ ? supervisor_->record(GuestRole::runtime) : nullptr;
  if (!runtime || runtime->state != GuestState::running) return std::nullopt;
  return gateway_socket(context_.policy.layout);
}

Result<control_rpc::LogsReply> Daemon::logs(const control_rpc::LogsRequest& request,
                                            bool& truncated) {
  control_rpc::LogsRequest query = request;
  if (request.since) {
    auto since = normalize_since(*request.since, std::chrono::system_clock::now());
    if (!since) return tl::unexpected(since.error());
    query.since = *since;
  }
  auto result = read_logs(context_.policy.layout.logs, query, kControlMaxResponseFrame - 4096);
  truncated = result.truncated;
  return control_rpc::LogsReply{request.request_id, std::move(result.entries)};
}

}  // namespace

int run_daemon(UserContext context, const DaemonHooks& hooks) {
  Daemon daemon(std::move(context), hooks);
  return daemon.run();
}

}  // namespace oxydra::runner
