#include "backends/container/oci/oci_backend.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "backends/container/bootstrap_listener.h"
#include "backends/container/container_enforcement.h"
#include "backends/container/container_guest.h"
#include "backends/container/guest_ids.h"
#include "backends/container/guest_ownership.h"
#include "backends/container/oci/oci_config.h"
#include "backends/container/oci/oci_runtime.h"
#include "backends/envelope_delivery.h"
#include "backends/process_spawn.h"
#include "backends/stale_files.h"
#include "daemon/envelope_builder.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;
using sys::UniqueFd;
using Clock = std::chrono::steady_clock;

// Where the runner keeps the OCI runtime's state and the generated bundles:
// root-only, outside every workspace, gone at reboot like the guests.
const fs::path kStateDir = "/run/oxydra";

constexpr int kLifelineFd = 3;

constexpr const char* kGuestPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::optional<int> exited(pid_t pid, GuestExit& how) {
  int status = 0;
  pid_t done = ::waitpid(pid, &status, WNOHANG);
  if (done != pid) return std::nullopt;
  if (WIFSIGNALED(status)) how.signal = WTERMSIG(status);
  if (WIFEXITED(status)) how.exit_code = WEXITSTATUS(status);
  return status;
}

class OciBackend final : public Backend {
 public:
  OciBackend(const BackendContext& context, OciRuntime runtime)
      : context_(context), runtime_(std::move(runtime)) {}

  SandboxTier tier() const override { return SandboxTier::container; }
  bool has_sidecar() const override { return true; }
  std::vector<DegradedReason> tier_degraded() const override { return {}; }

  Result<void> clean_stale() override;
  Result<SidecarStart> start_sidecar() override;
  Result<GuestHandle> start_runtime(const EnvelopeFactory& make_envelope) override;
  void stop(const GuestHandle& guest, std::chrono::milliseconds grace) override;
  std::optional<GuestExit> poll_exit(const GuestHandle&) override { return std::nullopt; }

 private:
  const UserPolicy& policy() const { return context_.policy; }
  std::string container_id(GuestRole role) const { return container_name(policy().user_id, role); }
  fs::path shell_ipc() const { return shell_ipc_dir(policy()); }
  fs::path bootstrap_socket() const { return policy().layout.ipc / "bootstrap.sock"; }

  OciGuest guest_spec(GuestRole role) const;
  Result<void> prepare_directories() const;
  Result<std::pair<GuestHandle, pid_t>> launch(GuestRole role, const OciGuest& spec);
  Result<pid_t> wait_running(GuestRole role, pid_t runtime_pid);

  const BackendContext context_;
  OciRuntime runtime_;
  // The write ends of the guests' lifelines: closing one (or the runner
  // dying) makes that guest's init kill the guest.
  std::map<GuestRole, UniqueFd> lifelines_;
};

OciGuest OciBackend::guest_spec(GuestRole role) const {
  OciGuest guest = container_guest(role, policy(), kLifelineFd);
  const ContainerTierConfig& container = context_.runner.container;
  guest.rootfs =
      role == GuestRole::sidecar ? container.shell_vm_rootfs : container.oxydra_vm_rootfs;
  guest.ids = {guest_host_id_base(policy().user_id), kGuestIdCount};
  guest.cgroups_path = "/oxydra/" + container_id(role);
  return guest;
}

Result<void> OciBackend::prepare_directories() const {
  const UserPolicy& p = policy();
  const uid_t owner = guest_host_uid(p.user_id);
  std::error_code ec;
  fs::create_directory(shell_ipc(), ec);
  if (ec) return tl::unexpected(errno_error("mkdir " + shell_ipc().string(), ec.value()));
  ::chmod(shell_ipc().c_str(), 0700);
  // The runner's own sockets in ipc/ stay root's 0600: the guest uid cannot
  // connect to them even though it may create its own beside them.
  for (const fs::path& dir :
       {p.shared, p.tmp, p.vault, p.layout.ipc, shell_ipc(), p.layout.internal}) {
    if (auto given = give_to_guest(dir, owner, owner); !given) return given;
  }
  // The guest's init mounts the bind sources as the user namespace's root,
  // which needs to pass through the user's (root-owned) directory.
  if (::chmod(p.layout.root.c_str(), 0711) != 0) {
    return tl::unexpected(errno_error("chmod 0711 " + p.layout.root.string(), errno));
  }
  for (const fs::path& rootfs :
       {context_.runner.container.shell_vm_rootfs, context_.runner.container.oxydra_vm_rootfs}) {
    if (!fs::exists(rootfs / fs::path(kGuestInit).relative_path(), ec)) {
      return fail("guest_image_missing", "guest image " + rootfs.string() +
                                             " is missing or incomplete (no " + kGuestInit + ")");
    }
  }
  return {};
}

Result<pid_t> OciBackend::wait_running(GuestRole role, pid_t runtime_pid) {
  const auto timeout = std::chrono::seconds(context_.runner.supervision.startup_timeout_secs);
  const auto deadline = Clock::now() + timeout;
  const std::string id = container_id(role);
  for (;;) {
    GuestExit how;
    if (exited(runtime_pid, how)) {
      return fail("guest_exited",
                  runtime_.program() + " run " + id + " " + how.describe() +
                      " while starting the guest; its messages are in `oxydra-runner "
                      "logs --role " +
                      std::string(to_string(role)) + "`");
    }
    if (auto state = runtime_.state(id); state && state->status == "running" && state->pid > 0) {
      return state->pid;
    }
    if (Clock::now() > deadline) {
      return fail("startup_timeout",
                  id + " was not running within " + std::to_string(timeout.count()) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<std::pair<GuestHandle, pid_t>> OciBackend::launch(GuestRole role, const OciGuest& spec) {
  const std::string id = container_id(role);
  if (auto removed = runtime_.remove(id); !removed) return tl::unexpected(removed.error());
  const fs::path bundle = kStateDir / "bundles" / id;
  std::error_code ec;
  fs::create_directories(bundle, ec);
  if (ec) return tl::unexpected(errno_error("mkdir " + bundle.string(), ec.value()));
  {
    nlohmann::json config = oci_config(spec);
    config["annotations"] = {{"org.oxydra.user", policy().user_id},
                             {"org.oxydra.role", container_role_name(role)}};
    std::ofstream out(bundle / "config.json", std::ios::trunc);
    out << config.dump(2);
    if (!out) return fail("io", "write " + (bundle / "config.json").string());
  }

  int lifeline[2];
  if (::pipe2(lifeline, O_CLOEXEC) != 0) {
    return tl::unexpected(errno_error("pipe for the lifeline of " + id, errno));
  }
  UniqueFd lifeline_read(lifeline[0]);
  lifelines_[role] = UniqueFd(lifeline[1]);

  SpawnRequest request;
  request.executable = runtime_.program();
  request.argv = runtime_.run_argv(bundle, id, 1);
  request.env = {kGuestPath};
  request.bootstrap_fd = lifeline_read.get();
  auto child = spawn_hardened(request);
  if (!child) return tl::unexpected(with_context(child.error(), "start " + id));
  context_.output.attach(role, GuestStream::stdout_stream, std::move(child->stdout_read));
  context_.output.attach(role, GuestStream::stderr_stream, std::move(child->stderr_read));

  GuestHandle guest;
  guest.role = role;
  guest.pid = child->pid;
  guest.guest_id = std::nullopt;
  guest.describe = container_role_name(role) + " (container " + id + ", " +
                   fs::path(runtime_.program()).filename().string() + " pid " +
                   std::to_string(child->pid) + ")";
  return std::make_pair(std::move(guest), child->pid);
}

Result<void> OciBackend::clean_stale() {
  for (GuestRole role : {GuestRole::sidecar, GuestRole::runtime}) {
    if (auto removed = runtime_.remove(container_id(role)); !removed) return removed;
  }
  for (const fs::path& socket : {fs::path(gateway_socket(policy().layout)),
                                 shell_ipc() / "shell.sock", bootstrap_socket()}) {
    std::error_code ec;
    if (!fs::exists(socket, ec)) continue;
    if (auto removed = remove_stale_socket(socket.string()); !removed) return removed;
  }
  return {};
}

Result<SidecarStart> OciBackend::start_sidecar() {
  if (auto prepared = prepare_directories(); !prepared) return tl::unexpected(prepared.error());
  const OciGuest spec = guest_spec(GuestRole::sidecar);
  ::unlink((shell_ipc() / "shell.sock").c_str());
  auto launched = launch(GuestRole::sidecar, spec);
  if (!launched) return tl::unexpected(launched.error());
  GuestHandle& guest = launched->first;
  auto init_pid = wait_running(GuestRole::sidecar, launched->second);
  if (!init_pid) {
    stop(guest, std::chrono::milliseconds(0));
    return tl::unexpected(init_pid.error());
  }
  auto measured = measure_container_guest(*init_pid, spec);
  guest.enforcement = std::move(measured.report);
  guest.degraded = std::move(measured.degraded);

  SidecarStart start;
  start.guest = std::move(guest);
  start.endpoint = {ChannelTransport::unix_socket,
                    std::string(kGuestWorkspace) + "/ipc/shell/shell.sock"};
  start.host_endpoint = {ChannelTransport::unix_socket, (shell_ipc() / "shell.sock").string()};
  return start;
}

Result<GuestHandle> OciBackend::start_runtime(const EnvelopeFactory& make_envelope) {
  if (auto prepared = prepare_directories(); !prepared) return tl::unexpected(prepared.error());
  const uid_t owner = guest_host_uid(policy().user_id);
  auto listener = BootstrapListener::open(bootstrap_socket().string(), owner, owner);
  if (!listener) return tl::unexpected(listener.error());
  const OciGuest spec = guest_spec(GuestRole::runtime);
  auto launched = launch(GuestRole::runtime, spec);
  if (!launched) return tl::unexpected(launched.error());
  GuestHandle& guest = launched->first;
  const pid_t runtime_pid = launched->second;

  auto fail_start = [&](const Error& error) -> Result<GuestHandle> {
    stop(guest, std::chrono::milliseconds(0));
    return tl::unexpected(error);
  };
  GuestExit how;
  bool gone = false;
  auto connection =
      listener->accept_one(std::chrono::seconds(context_.runner.supervision.startup_timeout_secs),
                           [&]() -> std::optional<std::string> {
                             if (!gone && exited(runtime_pid, how)) gone = true;
                             if (gone) return guest.describe + " " + how.describe();
                             return std::nullopt;
                           });
  if (!connection) {
    if (gone) guest.pid.reset();  // already reaped
    return fail_start(connection.error());
  }
  auto init_pid = wait_running(GuestRole::runtime, runtime_pid);
  if (!init_pid) return fail_start(init_pid.error());
  auto measured = measure_container_guest(*init_pid, spec);
  guest.enforcement = std::move(measured.report);
  guest.degraded = std::move(measured.degraded);

  auto envelope = make_envelope(guest);
  if (!envelope) return fail_start(envelope.error());
  auto sent = deliver_to_container(
      connection->get(), std::move(*envelope), kGuestWorkspace,
      std::chrono::seconds(context_.runner.supervision.startup_timeout_secs), guest.describe);
  if (!sent) return fail_start(sent.error());
  return std::move(guest);
}

void OciBackend::stop(const GuestHandle& guest, std::chrono::milliseconds grace) {
  const std::string id = container_id(guest.role);
  if (guest.pid) {
    const pid_t pid = *guest.pid;
    GuestExit how;
    bool done = false;
    // The runtime in the foreground forwards TERM to the guest's init, which
    // forwards it to the service.
    if (grace.count() > 0 && ::kill(pid, SIGTERM) == 0) {
      const auto deadline = Clock::now() + grace;
      while (!done && Clock::now() < deadline) {
        done = exited(pid, how).has_value();
        if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (!done)
        spdlog::warn("{} did not stop within {} ms of SIGTERM: killing it", guest.describe,
                     grace.count());
    }
    if (!done) {
      lifelines_.erase(guest.role);
      runtime_.kill(id, "KILL");
      ::kill(pid, SIGKILL);
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  lifelines_.erase(guest.role);
  if (auto removed = runtime_.remove(id); !removed) spdlog::warn("{}", removed.error().message);
  std::error_code ec;
  fs::remove_all(kStateDir / "bundles" / id, ec);
}

}  // namespace

Result<std::unique_ptr<Backend>> make_oci_backend(const BackendContext& context) {
  auto runtime = OciRuntime::locate(context.runner.container.oci_runtime, kStateDir / "runc");
  if (!runtime) return tl::unexpected(runtime.error());
  return std::unique_ptr<Backend>(new OciBackend(context, std::move(*runtime)));
}

}  // namespace oxydra::runner
