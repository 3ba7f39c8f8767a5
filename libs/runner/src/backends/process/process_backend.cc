#include "backends/process/process_backend.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>

#include "backends/envelope_delivery.h"
#include "backends/find_program.h"
#include "backends/process_spawn.h"
#include "backends/stale_files.h"
#include "daemon/envelope_builder.h"
#include "oxydra/sandbox/enforcement_probe.h"
#include "oxydra/sandbox/harden_report.h"
#include "oxydra/types/http_url.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;
using sys::UniqueFd;

// Passed through because they carry no secrets and help diagnose the guest.
constexpr const char* kPassThroughEnv[] = {"OXYDRA_LOG", "TZ", "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                           "LSAN_OPTIONS"};

class ProcessBackend final : public Backend {
 public:
  ProcessBackend(const BackendContext& context, std::string executable)
      : context_(context), executable_(std::move(executable)) {}

  SandboxTier tier() const override { return SandboxTier::process; }
  bool has_sidecar() const override { return false; }

  std::vector<DegradedReason> tier_degraded() const override {
    return {DegradedReason{std::string(degraded::kInsecureProcessTier),
                           "process tier (--insecure): oxydra-vm runs as a host process of the "
                           "runner's user with no shell-vm; shell and browser tools are disabled"}};
  }

  Result<void> clean_stale() override {
    return remove_stale_socket(gateway_socket(context_.policy.layout));
  }

  Result<SidecarStart> start_sidecar() override {
    return fail(ErrorCode::internal, "the process tier has no shell-vm");
  }

  Result<GuestHandle> start_runtime(const EnvelopeFactory& make_envelope) override;
  void stop(const GuestHandle& guest, std::chrono::milliseconds grace) override;
  std::optional<GuestExit> poll_exit(const GuestHandle&) override { return std::nullopt; }

 private:
  Result<sandbox::HardeningPlan> plan() const;
  Result<void> send_envelope(int fd, const GuestHandle& guest, const EnvelopeFactory& make) const;

  const BackendContext context_;  // its references outlive the backend
  const std::string executable_;
};

Result<sandbox::HardeningPlan> ProcessBackend::plan() const {
  const UserPolicy& policy = context_.policy;
  auto url = parse_http_url(context_.agent.selected_provider().base_url);
  if (!url) return tl::unexpected(with_context(url.error(), "provider base_url"));
  // Landlock grants the effective directories, which may be the user's overrides.
  WorkspaceLayout layout = policy.layout;
  layout.shared = policy.shared;
  layout.tmp = policy.tmp;
  layout.vault = policy.vault;
  PolicyResources resources;
  resources.max_memory_mib = policy.resources.max_memory_mib;
  resources.max_processes = policy.resources.max_processes;
  auto spec = sandbox::process_tier_spec(layout, executable_, {url->port}, resources);
  auto plan = sandbox::prepare_hardening(spec);
  if (!plan) return tl::unexpected(with_context(plan.error(), "process tier hardening"));
  return plan;
}

Result<GuestHandle> ProcessBackend::start_runtime(const EnvelopeFactory& make_envelope) {
  auto hardening = plan();
  if (!hardening) return tl::unexpected(hardening.error());
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return tl::unexpected(errno_error("socketpair for the bootstrap envelope", errno));
  }
  UniqueFd ours(pair[0]), theirs(pair[1]);

  SpawnRequest request;
  request.executable = executable_;
  request.argv = {executable_, "--bootstrap-fd", std::to_string(kBootstrapFd)};
  request.env = guest_environment(context_.policy);
  request.plan = &*hardening;
  request.bootstrap_fd = theirs.get();
  auto child = spawn_hardened(request);
  if (!child) return tl::unexpected(child.error());
  theirs.reset();

  GuestHandle guest;
  guest.role = GuestRole::runtime;
  guest.pid = child->pid;
  guest.usage_pid = child->pid;
  guest.describe = "oxydra-vm pid " + std::to_string(child->pid);
  auto measured =
      sandbox::enforcement_report(*hardening, child->outcome, sandbox::measure_process(child->pid));
  guest.enforcement = std::move(measured.report);
  guest.degraded = std::move(measured.degraded);
  context_.output.attach(GuestRole::runtime, GuestStream::stdout_stream,
                         std::move(child->stdout_read));
  context_.output.attach(GuestRole::runtime, GuestStream::stderr_stream,
                         std::move(child->stderr_read));

  const auto& landlock = guest.enforcement->landlock;
  const auto& seccomp = guest.enforcement->seccomp;
  const bool full = landlock && landlock->status == kLandlockFullyEnforced && seccomp &&
                    seccomp->mode == kSeccompFilter;
  Result<void> sent;
  if (context_.runner.process.require_hardening && !full) {
    sent = fail(ErrorCode::hardening_required,
                "[process] require_hardening is set, but Landlock is " +
                    (landlock ? landlock->status : std::string("unknown")) + " and seccomp is " +
                    (seccomp ? seccomp->mode : std::string("unknown")) + " for " + guest.describe);
  } else {
    sent = send_envelope(ours.get(), guest, make_envelope);
  }
  if (!sent) {
    stop(guest, std::chrono::milliseconds(0));
    return tl::unexpected(sent.error());
  }
  return guest;
}

Result<void> ProcessBackend::send_envelope(int fd, const GuestHandle& guest,
                                           const EnvelopeFactory& make) const {
  auto envelope = make(guest);
  if (!envelope) return tl::unexpected(envelope.error());
  return deliver_envelope(fd, *envelope,
                          std::chrono::seconds(context_.runner.supervision.startup_timeout_secs),
                          guest.describe);
}

void ProcessBackend::stop(const GuestHandle& guest, std::chrono::milliseconds grace) {
  if (!guest.pid) return;
  const pid_t pid = *guest.pid;
  int status = 0;
  if (grace.count() > 0 && ::kill(pid, SIGTERM) == 0) {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
      pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid || (done < 0 && errno == ECHILD)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    spdlog::warn("{} did not stop within {} ms of SIGTERM: killing it", guest.describe,
                 grace.count());
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::vector<std::string> guest_environment(const UserPolicy& policy) {
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                                  "HOME=" + policy.layout.internal.string(),
                                  "TMPDIR=" + policy.tmp.string()};
  for (const char* name : kPassThroughEnv) {
    if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
  }
  return env;
}

Result<std::string> process_guest_executable(const RunnerConfig& runner) {
  fs::path path;
  if (runner.process.oxydra_vm) {
    path = *runner.process.oxydra_vm;
  } else {
    path = companion_path("oxydra-vm");
  }
  std::error_code ec;
  fs::path resolved = fs::canonical(path, ec);
  if (ec || ::access(resolved.c_str(), X_OK) != 0) {
    return fail(ErrorCode::guest_missing,
                "oxydra-vm not found or not executable: " + path.string() +
                    " (set [process] oxydra_vm in " + runner.source + ")");
  }
  return resolved.string();
}

Result<std::unique_ptr<Backend>> make_process_backend(const BackendContext& context) {
  auto executable = process_guest_executable(context.runner);
  if (!executable) return tl::unexpected(executable.error());
  return std::unique_ptr<Backend>(new ProcessBackend(context, std::move(*executable)));
}

}  // namespace oxydra::runner
