#include "backends/micro_vm/qemu_vmm.h"

#include <sys/stat.h>
#include <unistd.h>

#include "backends/container/oci/command_output.h"
#include "backends/find_program.h"
#include "backends/micro_vm/accel_cache.h"
#include "backends/process_spawn.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;

// The group that may open /dev/kvm (Debian: kvm, mode 0660), so a QEMU
// running as the guest's uid can use KVM; none when only root may.
std::vector<gid_t> kvm_groups() {
  struct stat st {};
  if (::stat("/dev/kvm", &st) != 0 || st.st_gid == 0 || (st.st_mode & 0060) != 0060) return {};
  return {st.st_gid};
}

sandbox::ParsedEndpoint unix_endpoint(const fs::path& path) {
  sandbox::ParsedEndpoint endpoint;
  endpoint.transport = ChannelTransport::unix_socket;
  endpoint.path = path.string();
  return endpoint;
}

}  // namespace

Result<std::unique_ptr<QemuVmm>> QemuVmm::locate(const RunnerConfig& runner) {
  const MicroVmTierConfig& c = runner.micro_vm;
  auto qemu = find_program(c.qemu);
  if (!qemu) {
    return fail(ErrorCode::tier_unavailable,
                "QEMU '" + c.qemu +
                    "' not found in PATH; install it (apt-get install qemu-system-x86) or set "
                    "[micro_vm] qemu");
  }
  auto vmm = std::unique_ptr<QemuVmm>(new QemuVmm());
  vmm->qemu_ = *qemu;
  auto version = run_command({*qemu, "--version"}, std::chrono::seconds(10));
  if (!version || version->exit_code != 0) {
    return fail(ErrorCode::tier_unavailable,
                *qemu + " --version failed: " + (version ? version->err : version.error().message));
  }
  vmm->version_ = version->out.substr(0, version->out.find('\n'));
  vmm->locate_files(runner);
  vmm->operator_args_ = c.kernel_args;
  vmm->host_mhz_ = host_cpu_mhz();
  return vmm;
}

AccelChoice QemuVmm::choose_accel(VmAccel configured) const {
  return cached_accel_choice(*this, configured);
}

QemuGuest QemuVmm::probe_guest() const {
  QemuGuest guest;
  guest.qemu = qemu_;
  guest.kernel = kernel_;
  guest.initramfs = initramfs_;
  guest.host_mhz = host_mhz_;
  return guest;
}

Result<StartedVm> QemuVmm::start(const VmSpec& spec) const {
  QemuGuest guest = probe_guest();
  guest.root_disk = spec.root_disk;
  guest.accel = spec.accel;
  guest.vcpus = spec.vcpus;
  guest.memory_mib = static_cast<int>(spec.memory_mib);
  guest.kernel_args = spec.kernel_args;
  if (!operator_args_.empty()) guest.kernel_args += " " + operator_args_;
  guest.shares = spec.shares;
  StartedVm started;
  const fs::path link = spec.run_dir / "link.sock";
  started.link = unix_endpoint(link);
  guest.ports.push_back({"org.oxydra.link", link});
  if (spec.bootstrap_port) {
    const fs::path bootstrap = spec.run_dir / "bootstrap.sock";
    started.bootstrap = unix_endpoint(bootstrap);
    guest.ports.push_back({"org.oxydra.bootstrap", bootstrap});
  }

  SpawnRequest request;
  request.executable = qemu_;
  request.argv = qemu_argv(guest);
  request.env = environment();
  request.cgroup_procs = spec.cgroup_procs;
  request.identity =
      SpawnIdentity{spec.uid, spec.uid, spec.accel == "kvm" ? kvm_groups() : std::vector<gid_t>{}};
  request.no_core = true;
  auto child = spawn_hardened(request);
  if (!child) return tl::unexpected(child.error());
  started.pid = child->pid;
  started.stdout_read = std::move(child->stdout_read);
  started.stderr_read = std::move(child->stderr_read);
  return started;
}

}  // namespace oxydra::runner
