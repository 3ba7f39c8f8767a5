#include "backends/container/oci/oci_driver.h"
#include "backends/container/id_range_check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "backends/container/container_guest.h"
#include "backends/container/guest_ids.h"
#include "backends/container/oci/oci_config.h"
#include "backends/container/oci/oci_runtime.h"
#include "backends/process_spawn.h"

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

std::optional<pid_t> read_pid_file(const fs::path& file) {
  std::ifstream in(file);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) return std::nullopt;
  return static_cast<pid_t>(pid);
}

std::optional<int> exited(pid_t pid, GuestExit& how) {
  int status = 0;
  pid_t done = ::waitpid(pid, &status, WNOHANG);
  // ECHILD: the supervisor's reaper took it first (status unknown, but ended).
  if (done < 0 && errno == ECHILD) return 0;
  if (done != pid) return std::nullopt;
  if (WIFSIGNALED(status)) how.signal = WTERMSIG(status);
  if (WIFEXITED(status)) how.exit_code = WEXITSTATUS(status);
  return status;
}

class OciDriver final : public ContainerDriver {
 public:
  OciDriver(const BackendContext& context, OciRuntime runtime)
      : context_(context), runtime_(std::move(runtime)) {}

  uid_t guest_owner() const override { return guest_host_uid(policy().user_id); }
  std::optional<uid_t> data_owner() const override { return std::nullopt; }
  OciGuest guest_spec(GuestRole role) const override;
  Result<void> check_images() const override;
  Result<void> remove_stale() override;
  Result<GuestHandle> launch(GuestRole role, const OciGuest& spec) override;
  bool launches_in_background() const override { return true; }
  Result<pid_t> wait_running(GuestHandle& guest, std::chrono::milliseconds timeout) override;
  std::optional<GuestExit> exit_while_starting(GuestHandle& guest) override;
  void stop(const GuestHandle& guest, std::chrono::milliseconds grace) override;
  // The guest's init is the runner's child once the runtime has exited (the
  // runner is its subreaper): the supervisor reaps it.
  std::optional<GuestExit> poll_exit(const GuestHandle&) override { return std::nullopt; }

 private:
  // `run --detach` of a guest that has not returned yet.
  struct Starting {
    pid_t runtime_pid = -1;
    fs::path pid_file;
  };
  enum class Launch { starting, running, failed };
  // Once the runtime has returned: the init's pid in the handle (running), or
  // how the runtime ended (failed).
  Launch settle(GuestHandle& guest, GuestExit& how);

  const UserPolicy& policy() const { return context_.policy; }
  std::string container_id(GuestRole role) const { return container_name(policy().user_id, role); }

  const BackendContext context_;
  OciRuntime runtime_;
  std::map<GuestRole, Starting> starting_;
  // The write ends of the guests' lifelines: closing one (or the runner
  // dying) makes that guest's init kill the guest.
  std::map<GuestRole, UniqueFd> lifelines_;
};

OciGuest OciDriver::guest_spec(GuestRole role) const {
  OciGuest guest = container_guest(role, policy(), kLifelineFd);
  const ContainerTierConfig& container = context_.runner.container;
  guest.rootfs =
      role == GuestRole::sidecar ? container.shell_vm_rootfs : container.oxydra_vm_rootfs;
  guest.ids = {guest_host_id_base(policy().user_id), kGuestIdCount};
  guest.cgroups_path = "/oxydra/" + container_id(role);
  return guest;
}

Result<void> OciDriver::check_images() const {
  std::error_code ec;
  for (const fs::path& rootfs :
       {context_.runner.container.shell_vm_rootfs, context_.runner.container.oxydra_vm_rootfs}) {
    if (!fs::exists(rootfs / fs::path(kGuestInit).relative_path(), ec)) {
      return fail(
          ErrorCode::guest_image_missing,
          "guest image " + rootfs.string() + " is missing or incomplete (no " + kGuestInit + ")");
    }
  }
  return {};
}

OciDriver::Launch OciDriver::settle(GuestHandle& guest, GuestExit& how) {
  auto it = starting_.find(guest.role);
  if (it == starting_.end()) return guest.pid ? Launch::running : Launch::failed;
  const Starting starting = it->second;
  int status = 0;
  const pid_t done = ::waitpid(starting.runtime_pid, &status, WNOHANG);
  if (done == 0) return Launch::starting;
  starting_.erase(it);
  if (done == starting.runtime_pid) {
    if (WIFSIGNALED(status)) how.signal = WTERMSIG(status);
    if (WIFEXITED(status)) how.exit_code = WEXITSTATUS(status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return Launch::failed;
  }
  // Otherwise (ECHILD) the supervisor's orphan reaper took the runtime's
  // status first; the pid file still says whether the guest started.
  const auto pid = read_pid_file(starting.pid_file);
  if (!pid) return Launch::failed;
  guest.pid = *pid;
  guest.describe = container_role_name(guest.role) + " (container " + container_id(guest.role) +
                   ", init pid " + std::to_string(*pid) + ")";
  return Launch::running;
}

Result<pid_t> OciDriver::wait_running(GuestHandle& guest, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string id = container_id(guest.role);
  for (;;) {
    if (auto how = exit_while_starting(guest)) {
      return fail(ErrorCode::guest_exited,
                  runtime_.program() + " run " + id + " " + how->describe() +
                      " while starting the guest; its messages are in `oxydra-runner "
                      "logs --role " +
                      std::string(to_string(guest.role)) + "`");
    }
    if (guest.pid) return *guest.pid;
    if (Clock::now() > deadline) {
      return fail(ErrorCode::startup_timeout,
                  id + " was not running within " + std::to_string(timeout.count() / 1000) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::optional<GuestExit> OciDriver::exit_while_starting(GuestHandle& guest) {
  GuestExit how;
  switch (settle(guest, how)) {
    case Launch::starting:
      return std::nullopt;
    case Launch::failed:
      return how;
    case Launch::running:
      break;
  }
  if (!exited(*guest.pid, how)) return std::nullopt;
  guest.pid.reset();  // reaped
  return how;
}

Result<GuestHandle> OciDriver::launch(GuestRole role, const OciGuest& spec) {
  const std::string id = container_id(role);
  // Deleting costs a runtime process; only a crashed run leaves a record.
  if (runtime_.has_record(id)) {
    if (auto removed = runtime_.remove(id); !removed) return tl::unexpected(removed.error());
  }
  const fs::path bundle = kStateDir / "bundles" / id;
  std::error_code ec;
  fs::create_directories(bundle, ec);
  if (ec) return tl::unexpected(errno_error("mkdir " + bundle.string(), ec.value()));
  const fs::path pid_file = bundle / "init.pid";
  fs::remove(pid_file, ec);
  {
    nlohmann::json config = oci_config(spec);
    config["annotations"] = {{"org.oxydra.user", policy().user_id},
                             {"org.oxydra.role", container_role_name(role)}};
    std::ofstream out(bundle / "config.json", std::ios::trunc);
    out << config.dump(2);
    if (!out) return fail(ErrorCode::io, "write " + (bundle / "config.json").string());
  }

  int lifeline[2];
  if (::pipe2(lifeline, O_CLOEXEC) != 0) {
    return tl::unexpected(errno_error("pipe for the lifeline of " + id, errno));
  }
  UniqueFd lifeline_read(lifeline[0]);
  lifelines_[role] = UniqueFd(lifeline[1]);

  SpawnRequest request;
  request.executable = runtime_.program();
  request.argv = runtime_.run_detached_argv(bundle, id, 1, pid_file);
  request.env = {kGuestPath};
  request.bootstrap_fd = lifeline_read.get();
  auto child = spawn_hardened(request);
  if (!child) return tl::unexpected(with_context(child.error(), "start " + id));
  // The guest inherits the runtime's stdout and stderr: its output and the
  // runtime's own errors arrive on the same pipes, until the guest ends. They
  // become the guest user's, as a process's own stdio is (runc in the
  // foreground did the same with the pipes it made).
  const uid_t stdio_owner = spec.ids.host_base + spec.uid;
  const gid_t stdio_group = spec.ids.host_base + spec.gid;
  for (int fd : {child->stdout_read.get(), child->stderr_read.get()}) {
    if (::fchown(fd, stdio_owner, stdio_group) != 0)
      spdlog::warn("chown of {}'s output pipe: {}", id, std::strerror(errno));
  }
  context_.output.attach(role, GuestStream::stdout_stream, std::move(child->stdout_read));
  context_.output.attach(role, GuestStream::stderr_stream, std::move(child->stderr_read));
  starting_[role] = Starting{child->pid, pid_file};

  GuestHandle guest;
  guest.role = role;
  guest.describe = container_role_name(role) + " (container " + id + ")";
  return guest;
}

Result<void> OciDriver::remove_stale() {
  for (GuestRole role : {GuestRole::sidecar, GuestRole::runtime}) {
    if (!runtime_.has_record(container_id(role))) continue;
    if (auto removed = runtime_.remove(container_id(role)); !removed) return removed;
  }
  return {};
}

void OciDriver::stop(const GuestHandle& guest, std::chrono::milliseconds grace) {
  const std::string id = container_id(guest.role);
  if (auto it = starting_.find(guest.role); it != starting_.end()) {
    // Stopped while the runtime was still starting it: end the runtime, then
    // the delete below removes whatever it created.
    ::kill(it->second.runtime_pid, SIGKILL);
    int status = 0;
    while (::waitpid(it->second.runtime_pid, &status, 0) < 0 && errno == EINTR) {
    }
    starting_.erase(it);
  }
  if (guest.pid) {
    const pid_t pid = *guest.pid;
    GuestExit how;
    bool done = false;
    // The guest's init forwards TERM to the service and exits with it.
    if (grace.count() > 0 && ::kill(pid, SIGTERM) == 0) {
      const auto deadline = Clock::now() + grace;
      while (!done && Clock::now() < deadline) {
        done = exited(pid, how).has_value();
        if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      if (!done)
        spdlog::warn("{} did not stop within {} ms of SIGTERM: killing it", guest.describe,
                     grace.count());
    }
    if (!done) {
      lifelines_.erase(guest.role);
      ::kill(pid, SIGKILL);  // pid 1 of the guest's pid namespace: the whole guest ends
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

Result<std::unique_ptr<ContainerDriver>> make_oci_driver(const BackendContext& context) {
  if (auto free = check_guest_id_range(guest_host_id_base(context.policy.user_id), kGuestIdCount);
      !free) {
    return tl::unexpected(free.error());
  }
  // A detached guest's init is reparented to the runner when the runtime
  // exits, so the runner reaps it and learns its exit status.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    return tl::unexpected(errno_error("prctl(PR_SET_CHILD_SUBREAPER)", errno));
  }
  auto runtime = OciRuntime::locate(context.runner.container.oci_runtime, kStateDir / "runc");
  if (!runtime) return tl::unexpected(runtime.error());
  return std::unique_ptr<ContainerDriver>(new OciDriver(context, std::move(*runtime)));
}

}  // namespace oxydra::runner
