#include "backends/micro_vm/vm_report.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace oxydra::runner {

namespace {

std::optional<std::uint64_t> rss_mib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    std::uint64_t kib = 0;
    if (fields >> kib) return kib / 1024;
  }
  return std::nullopt;
}

}  // namespace

EnforcementReport vm_enforcement(const GuestHello& hello, const VmmCgroup& cgroup,
                                 const VmSpec& spec, const AccelChoice& accel, const Vmm& vmm,
                                 pid_t vmm_pid) {
  EnforcementReport report;
  // Namespaces are a container's tools: a VM guest has a kernel of its own,
  // so the host's namespaces say nothing about it (null: not applicable).
  report.rootfs_read_only = hello.root_read_only;
  if (hello.cap_eff) {
    report.capabilities_mask = *hello.cap_eff;
    if (*hello.cap_eff == "0000000000000000") report.capabilities = std::vector<std::string>{};
  }
  report.no_new_privs = hello.no_new_privs;
  if (hello.seccomp) {
    SeccompState seccomp;
    seccomp.mode = *hello.seccomp == 2   ? std::string(kSeccompFilter)
                   : *hello.seccomp == 1 ? std::string(kSeccompStrict)
                                         : std::string(kSeccompDisabled);
    if (*hello.seccomp == 2) seccomp.policy = hello.seccomp_policy;
    report.seccomp = seccomp;
  }
  report.cgroup = cgroup.limits;
  std::vector<std::string> writable;
  VmmInfo info;
  info.name = vmm.name();
  info.accel = accel.accel;
  info.accel_reason = accel.reason;
  info.version = vmm.version();
  info.guest_kernel = hello.kernel;
  info.vcpus = spec.vcpus;
  info.memory_mib = static_cast<std::uint64_t>(spec.memory_mib);
  info.vmm_rss_mib = rss_mib(vmm_pid);
  const bool qemu = vmm.name() == "qemu";
  info.devices = {"virtio-blk root disk (read-only)",
                  qemu ? "virtio-serial org.oxydra.link" : "vsock (link on port 1024)"};
  if (spec.bootstrap_port)
    info.devices.push_back(qemu ? "virtio-serial org.oxydra.bootstrap"
                                : "vsock (envelope on port 1025)");
  const bool sidecar = spec.role == GuestRole::sidecar;
  for (const auto& share : spec.shares) {
    const std::string inside = (sidecar ? "/" : "/workspace/") + share.tag;
    info.devices.push_back("virtio-9p " + share.tag);
    info.shares.push_back(share.tag + " -> " + inside + " (9p, " +
                          (share.read_only ? "read-only" : "read-write") + ")");
    if (!share.read_only) writable.push_back(inside);
  }
  writable.push_back(sidecar ? "/ipc (tmpfs, 1 MiB)" : "/workspace/ipc (tmpfs, 1 MiB)");
  report.writable_paths = writable;
  report.vmm = info;
  report.notes.push_back("own kernel " + hello.kernel.value_or("(not reported)") + " under " +
                         accel.accel + ": " + accel.reason);
  // A process that is not dumpable has its /proc files owned by root.
  struct stat proc {};
  const bool dumpable =
      ::stat(("/proc/" + std::to_string(vmm_pid) + "/environ").c_str(), &proc) != 0 ||
      proc.st_uid != 0;
  if (!qemu) {
    report.notes.push_back(
        "firecracker driver: tested only against a peer speaking Firecracker's documented API "
        "and vsock handshake, never against a real Firecracker");
  }
  report.notes.push_back(
      "VMM: " + vmm.name() + " as uid " + std::to_string(spec.uid) + ", no_new_privs, " +
      (qemu ? "-sandbox on (no spawn, no privilege changes), " : "") + "RLIMIT_CORE 0, " +
      (dumpable ? std::string("DUMPABLE (") + kNoDumpLibrary + " not preloaded)"
                : std::string("not dumpable")) +
      ", no network device; dies with the runner");
  report.notes.push_back(
      "guest processes: a cgroup inside the VM (memory.max and pids.max, "
      "see the kernel arguments) and RLIMIT_NPROC " +
      std::to_string(spec.max_processes) + "; the VM has " + std::to_string(spec.memory_mib) +
      " MiB");
  return report;
}

}  // namespace oxydra::runner
