#include "backends/micro_vm/micro_vm_backend.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>

#include "backends/container/container_guest.h"
#include "backends/container/disk_quota.h"
#include "backends/container/guest_ids.h"
#include "backends/container/guest_ownership.h"
#include "backends/envelope_delivery.h"
#include "backends/micro_vm/firecracker_vmm.h"
#include "backends/micro_vm/guest_hello.h"
#include "backends/micro_vm/host_link.h"
#include "backends/micro_vm/qemu_vmm.h"
#include "backends/micro_vm/vm_report.h"
#include "backends/micro_vm/vmm_access.h"
#include "backends/micro_vm/vmm_cgroup.h"
#include "backends/stale_files.h"
#include "daemon/envelope_builder.h"
#include "oxydra/sys/unix_connect.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// oxydra-vm needs far less than a user's shell; its VM gets fixed sizes.
constexpr int kRuntimeVcpus = 1;
constexpr std::int64_t kRuntimeMemoryMib = 320;
constexpr std::int64_t kRuntimeProcesses = 128;
// What a guest's kernel, init and link need beyond its programs' limit.
constexpr std::int64_t kGuestKernelMib = 64;
// What QEMU needs beyond the guest's RAM (the cgroup counts its page cache
// too): under TCG its 64 MiB translation cache, the kernel image it maps,
// device and 9p buffers (docs/benchmarks.md has the measured RSS).
constexpr std::uint64_t kVmmOverheadTcgMib = 320;
constexpr std::uint64_t kVmmOverheadKvmMib = 160;
// QEMU's own threads (vCPUs, I/O, the 9p worker pool).
constexpr std::uint64_t kVmmThreads = 256;

std::string role_name(GuestRole role) {
  return container_role_name(role);
}

// A directory of the runner's layout with exactly this owner and mode (a
// symlink or a non-directory in its place is an error, never followed).
Result<void> ensure_private_dir(const fs::path& dir, uid_t uid, gid_t gid, mode_t mode) {
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
    return tl::unexpected(errno_error("mkdir " + dir.string(), errno));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return tl::unexpected(errno_error("stat " + dir.string(), errno));
  if (!S_ISDIR(st.st_mode))
    return fail(ErrorCode::path_refused, dir.string() + " is not a directory (a symlink?)");
  if ((st.st_uid != uid || st.st_gid != gid) && ::lchown(dir.c_str(), uid, gid) != 0)
    return tl::unexpected(errno_error("chown " + dir.string(), errno));
  if ((st.st_mode & 07777) != mode && ::chmod(dir.c_str(), mode) != 0)
    return tl::unexpected(errno_error("chmod " + dir.string(), errno));
  return {};
}

class MicroVmBackend final : public Backend {
 public:
  explicit MicroVmBackend(const BackendContext& context) : context_(context) {}
  ~MicroVmBackend() override {
    links_.clear();
    detach_user_disk_quotas(policy(), guest_uid());
  }
  MicroVmBackend(const MicroVmBackend&) = delete;
  MicroVmBackend& operator=(const MicroVmBackend&) = delete;

  SandboxTier tier() const override { return SandboxTier::micro_vm; }
  bool has_sidecar() const override { return true; }
  std::vector<DegradedReason> tier_degraded() const override { return {}; }
  // The runner's end of the link connects to the proxy on the guests' behalf.
  std::optional<uid_t> egress_peer() const override { return ::getuid(); }

  Result<void> clean_stale() override;
  Result<SidecarStart> start_sidecar() override;
  Result<GuestHandle> start_runtime(const EnvelopeFactory& make_envelope) override;
  void stop(const GuestHandle& guest, std::chrono::milliseconds grace) override;
  std::optional<GuestExit> poll_exit(const GuestHandle&) override { return std::nullopt; }

 private:
  const UserPolicy& policy() const { return context_.policy; }
  const MicroVmTierConfig& config() const { return context_.runner.micro_vm; }
  uid_t guest_uid() const { return guest_host_uid(policy().user_id); }
  std::string vm_name(GuestRole role) const { return container_name(policy().user_id, role); }
  fs::path run_dir(GuestRole role) const { return policy().layout.root / "vm" / role_name(role); }
  fs::path shell_socket() const { return shell_ipc_dir(policy()) / "shell.sock"; }
  std::chrono::milliseconds boot_timeout() const {
    return std::chrono::seconds(config().boot_timeout_secs);
  }

  Result<void> prepare();
  Result<void> attach_disk_quotas();
  // Starts the VMM for `role`, connects its link and waits for the guest's
  // hello; the handle carries the measured report.
  Result<GuestHandle> boot(GuestRole role, vmlink::LinkOptions link);
  void kill_vmm(pid_t pid);

  const BackendContext context_;
  std::unique_ptr<Vmm> vmm_;
  std::optional<AccelChoice> accel_;
  std::map<GuestRole, std::unique_ptr<HostLink>> links_;
  // Held open while the guest runs: QEMU drops what the guest has not yet
  // read from its port when the host's side closes.
  sys::UniqueFd bootstrap_port_;
  std::optional<sandbox::ParsedEndpoint> bootstrap_;  // where oxydra-vm's VM reads its envelope
  std::vector<std::string> disk_notes_;
};

Result<void> MicroVmBackend::attach_disk_quotas() {
  auto notes = attach_user_disk_quotas(policy(), guest_uid());
  if (!notes) return tl::unexpected(notes.error());
  disk_notes_ = std::move(*notes);
  return {};
}

Result<void> MicroVmBackend::prepare() {
  const UserPolicy& p = policy();
  if (!vmm_) {
    Result<std::unique_ptr<Vmm>> vmm = fail(ErrorCode::internal, "unknown vmm");
    if (config().vmm == MicroVmm::firecracker) {
      vmm = FirecrackerVmm::locate(context_.runner);
    } else {
      vmm = QemuVmm::locate(context_.runner);
    }
    if (!vmm) return tl::unexpected(vmm.error());
    vmm_ = std::move(*vmm);
  }
  if (auto checked = vmm_->check_images(); !checked) return checked;
  if (!accel_) {
    accel_ = vmm_->choose_accel(config().accel);
    if (accel_->accel == "tcg") spdlog::warn("micro_vm: {}", accel_->reason);
  }
  if (auto bounded = attach_disk_quotas(); !bounded) return bounded;
  const uid_t owner = guest_uid();
  for (const fs::path* dir : {&p.shared, &p.tmp, &p.vault, &p.layout.internal}) {
    if (!path_within(*dir, p.layout.root)) continue;
    if (auto given = give_to_guest(*dir, owner, owner); !given) return given;
  }
  for (const fs::path* dir : {&p.shared, &p.tmp}) {
    if (path_within(*dir, p.layout.root)) continue;
    if (auto owned = check_guest_owns(*dir, owner); !owned) return owned;
  }
  // The host ends of the link's forwards are root's: no guest uid reaches them.
  for (const fs::path& dir : {shell_ipc_dir(p), gateway_ipc_dir(p)}) {
    if (auto made = ensure_private_dir(dir, 0, 0, 0700); !made) return made;
  }
  // Each VMM makes its sockets in a directory of its own uid.
  if (auto made = ensure_private_dir(p.layout.root / "vm", 0, 0, 0711); !made) return made;
  for (GuestRole role : {GuestRole::sidecar, GuestRole::runtime}) {
    if (auto made = ensure_private_dir(run_dir(role), owner, owner, 0700); !made) return made;
  }
  // QEMU, as the guest's uid, must pass through the user's directory to the shares.
  if (::chmod(p.layout.root.c_str(), 0711) != 0)
    return tl::unexpected(errno_error("chmod 0711 " + p.layout.root.string(), errno));
  for (const fs::path* image :
       {&vmm_->kernel(), &vmm_->initramfs(), &vmm_->shell_vm_disk(), &vmm_->oxydra_vm_disk()}) {
    if (auto reach = check_vmm_can_reach(*image, owner, owner, R_OK); !reach) return reach;
  }
  for (const fs::path* dir : {&p.shared, &p.tmp, &p.vault, &p.layout.internal}) {
    if (auto reach = check_vmm_can_reach(*dir, owner, owner, X_OK); !reach) return reach;
  }
  if (!vmm_->nodump_library().empty()) {
    auto reach = check_vmm_can_reach(vmm_->nodump_library(), owner, owner, R_OK);
    if (!reach) return reach;
  }
  return {};
}

Result<void> MicroVmBackend::clean_stale() {
  links_.clear();
  // A VMM of a crashed run is still in its cgroup: killed there, whatever it became.
  for (GuestRole role : {GuestRole::sidecar, GuestRole::runtime}) {
    remove_vmm_cgroup(vm_name(role));
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(run_dir(role), ec)) {
      if (entry.is_socket(ec)) fs::remove(entry.path(), ec);
    }
  }
  for (const fs::path& socket : {fs::path(gateway_socket(policy().layout)), shell_socket(),
                                 policy().layout.ipc / "bootstrap.sock"}) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(socket, ec))) continue;
    if (auto removed = remove_stale_socket(socket.string()); !removed) return removed;
  }
  return {};
}

Result<GuestHandle> MicroVmBackend::boot(GuestRole role, vmlink::LinkOptions link_options) {
  const UserPolicy& p = policy();
  const bool sidecar = role == GuestRole::sidecar;
  VmSpec spec;
  spec.role = role;
  spec.name = vm_name(role);
  spec.run_dir = run_dir(role);
  spec.root_disk = sidecar ? vmm_->shell_vm_disk() : vmm_->oxydra_vm_disk();
  spec.accel = accel_->accel;
  spec.uid = guest_uid();
  spec.vcpus = sidecar ? static_cast<int>(p.resources.max_vcpus) : kRuntimeVcpus;
  const std::int64_t guest_memory = sidecar ? p.resources.max_memory_mib : kRuntimeMemoryMib;
  // The VM gets room beyond the user's limit for its kernel, init and link;
  // the user's processes are held to the limit by a cgroup inside.
  spec.memory_mib = guest_memory + kGuestKernelMib;
  spec.max_processes = sidecar ? p.resources.max_processes : kRuntimeProcesses;
  spec.kernel_args = "oxydra.role=" + role_name(role) +
                     " oxydra.uid=" + std::to_string(guest_uid()) +
                     " oxydra.max_processes=" + std::to_string(spec.max_processes) +
                     " oxydra.memory_mib=" + std::to_string(guest_memory);
  if (sidecar && p.shell_network) spec.kernel_args += " oxydra.shell_network=1";
  if (sidecar) {
    spec.shares = {{"shared", p.shared, false}, {"tmp", p.tmp, false}};
  } else {
    spec.shares = {{"shared", p.shared, false},
                   {"tmp", p.tmp, false},
                   {"vault", p.vault, true},
                   {"internal", p.layout.internal, false}};
    spec.bootstrap_port = true;
  }

  // Start from nothing: no leftover of an earlier run of this guest.
  links_.erase(role);
  if (!sidecar) {
    bootstrap_port_.reset();
    bootstrap_ = std::nullopt;
  }
  remove_vmm_cgroup(spec.name);
  VmmLimits limits;
  const std::uint64_t overhead = spec.accel == "kvm" ? kVmmOverheadKvmMib : kVmmOverheadTcgMib;
  limits.memory_bytes = (static_cast<std::uint64_t>(spec.memory_mib) + overhead) << 20;
  limits.pids = kVmmThreads;
  limits.cpus = spec.vcpus;
  auto cgroup = make_vmm_cgroup(spec.name, limits);
  if (!cgroup) return tl::unexpected(cgroup.error());
  spec.cgroup_procs = cgroup->procs_files;

  auto started = vmm_->start(spec);
  if (!started) return tl::unexpected(started.error());
  context_.output.attach(role, GuestStream::stdout_stream, std::move(started->stdout_read));
  context_.output.attach(role, GuestStream::stderr_stream, std::move(started->stderr_read));
  if (started->bootstrap) bootstrap_ = started->bootstrap;
  const pid_t pid = started->pid;
  GuestHandle guest;
  guest.role = role;
  guest.pid = pid;
  guest.usage_pid = pid;
  guest.describe = role_name(role) + " VM (" + vmm_->name() + " pid " + std::to_string(pid) + ")";

  std::optional<GuestExit> ended;
  auto gone = [&]() -> std::optional<std::string> {
    int status = 0;
    if (!ended && ::waitpid(pid, &status, WNOHANG) == pid) {
      ended = GuestExit{};
      if (WIFEXITED(status)) ended->exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) ended->signal = WTERMSIG(status);
    }
    if (!ended) return std::nullopt;
    return guest.describe + " " + ended->describe();
  };
  auto fail_boot = [&](const Error& error) -> Result<GuestHandle> {
    links_.erase(role);
    if (!ended) kill_vmm(pid);
    remove_vmm_cgroup(spec.name);
    Error out = error;
    // The supervisor never saw this pid; the runner's message names the guest.
    if (ended) out.code = ErrorCode::guest_exited;
    return tl::unexpected(out);
  };

  auto link = HostLink::connect(started->link, std::move(link_options), boot_timeout(), gone);
  if (!link) return fail_boot(link.error());
  auto hello = (*link)->wait_hello(boot_timeout(), gone);
  if (!hello) return fail_boot(hello.error());
  links_[role] = std::move(*link);

  const GuestHello said = parse_guest_hello(*hello);
  EnforcementReport report = vm_enforcement(said, *cgroup, spec, *accel_, *vmm_, pid);
  if (sidecar) {
    report.network = std::string(p.shell_network ? kNetworkEgressProxy : kNetworkNone);
  } else {
    report.network = std::string(kNetworkEgressProxy);
  }
  report.notes.insert(report.notes.end(), disk_notes_.begin(), disk_notes_.end());
  guest.enforcement = std::move(report);
  return guest;
}

Result<SidecarStart> MicroVmBackend::start_sidecar() {
  if (auto prepared = prepare(); !prepared) return tl::unexpected(prepared.error());
  links_.erase(GuestRole::sidecar);
  vmlink::LinkOptions link;
  link.admit = admit_root_only;
  link.log = [](const std::string& line) { spdlog::warn("shell-vm link: {}", line); };
  auto forward = host_forward(shell_socket().string(), "shell");
  if (!forward) return tl::unexpected(forward.error());
  link.forwards.push_back(std::move(*forward));
  if (policy().shell_network) link.services.push_back({"egress", egress_socket(policy().layout)});
  auto guest = boot(GuestRole::sidecar, std::move(link));
  if (!guest) return tl::unexpected(guest.error());
  SidecarStart start;
  start.guest = std::move(*guest);
  // oxydra-vm reaches it through its own link (its forward of this path).
  start.endpoint = {ChannelTransport::unix_socket,
                    std::string(kGuestWorkspace) + "/ipc/shell/shell.sock"};
  start.host_endpoint = {ChannelTransport::unix_socket, shell_socket().string()};
  return start;
}

Result<GuestHandle> MicroVmBackend::start_runtime(const EnvelopeFactory& make_envelope) {
  if (auto prepared = prepare(); !prepared) return tl::unexpected(prepared.error());
  links_.erase(GuestRole::runtime);
  vmlink::LinkOptions link;
  link.admit = admit_root_only;
  link.log = [](const std::string& line) { spdlog::warn("oxydra-vm link: {}", line); };
  auto forward = host_forward(gateway_socket(policy().layout), "gateway");
  if (!forward) return tl::unexpected(forward.error());
  link.forwards.push_back(std::move(*forward));
  link.services.push_back({"shell", shell_socket().string()});
  link.services.push_back({"egress", egress_socket(policy().layout)});
  auto guest = boot(GuestRole::runtime, std::move(link));
  if (!guest) return tl::unexpected(guest.error());

  auto fail_start = [&](const Error& error) -> Result<GuestHandle> {
    stop(*guest, 0ms);
    return tl::unexpected(error);
  };
  auto envelope = make_envelope(*guest);
  if (!envelope) return fail_start(envelope.error());
  // The guest reads its envelope from its own port; QEMU holds what we write
  // until the guest opens it.
  if (!bootstrap_) return fail_start(Error{ErrorCode::internal, "the VM has no envelope port"});
  auto fd = connect_guest_port(*bootstrap_, boot_timeout(), {});
  if (!fd) return fail_start(fd.error());
  auto sent = deliver_to_container(fd->get(), std::move(*envelope), kGuestWorkspace,
                                   std::chrono::duration_cast<std::chrono::seconds>(boot_timeout()),
                                   guest->describe);
  if (!sent) return fail_start(sent.error());
  bootstrap_port_ = std::move(*fd);
  return std::move(*guest);
}

void MicroVmBackend::kill_vmm(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

void MicroVmBackend::stop(const GuestHandle& guest, std::chrono::milliseconds grace) {
  if (!guest.pid) return;
  const pid_t pid = *guest.pid;
  auto link = links_.find(guest.role);
  bool stopped = false;
  if (grace.count() > 0 && link != links_.end()) {
    // A clean stop: the guest's init sends TERM to its program, which exits;
    // init syncs the disks and the VM powers off.
    link->second->request_shutdown();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid || (done < 0 && errno == ECHILD)) {
        stopped = true;
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    if (!stopped)
      spdlog::warn("{} did not power off within {} ms: killing it", guest.describe, grace.count());
  }
  if (!stopped) kill_vmm(pid);
  links_.erase(guest.role);
  if (guest.role == GuestRole::runtime) bootstrap_port_.reset();
  remove_vmm_cgroup(vm_name(guest.role));
}

}  // namespace

Result<std::unique_ptr<Backend>> make_micro_vm_backend(const BackendContext& context) {
  return std::unique_ptr<Backend>(std::make_unique<MicroVmBackend>(context));
}

}  // namespace oxydra::runner
