#include "backends/micro_vm/firecracker_vmm.h"

#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "backends/container/oci/command_output.h"
#include "backends/find_program.h"
#include "backends/micro_vm/firecracker_api.h"
#include "backends/process_spawn.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kGuestCid = 3;

sandbox::ParsedEndpoint vsock_endpoint(const fs::path& uds, std::uint32_t port) {
  sandbox::ParsedEndpoint endpoint;
  endpoint.transport = ChannelTransport::firecracker_vsock;
  endpoint.path = uds.string();
  endpoint.port = port;
  return endpoint;
}

}  // namespace

Result<std::unique_ptr<FirecrackerVmm>> FirecrackerVmm::locate(const RunnerConfig& runner) {
  const MicroVmTierConfig& c = runner.micro_vm;
  auto program = find_program(c.firecracker);
  if (!program) {
    return fail(ErrorCode::tier_unavailable,
                "Firecracker '" + c.firecracker +
                    "' not found in PATH (Debian does not package it, and it needs KVM); "
                    "use [micro_vm] vmm = \"qemu\", or install Firecracker and set "
                    "[micro_vm] firecracker");
  }
  auto vmm = std::unique_ptr<FirecrackerVmm>(new FirecrackerVmm());
  vmm->firecracker_ = *program;
  auto version = run_command({*program, "--version"}, std::chrono::seconds(10));
  if (!version || version->exit_code != 0) {
    return fail(
        ErrorCode::tier_unavailable,
        *program + " --version failed: " + (version ? version->err : version.error().message));
  }
  vmm->version_ = version->out.substr(0, version->out.find('\n'));
  vmm->locate_files(runner);
  vmm->operator_args_ = c.kernel_args;
  return vmm;
}

AccelChoice FirecrackerVmm::choose_accel(VmAccel configured) const {
  if (configured == VmAccel::tcg)
    return {"kvm", "Firecracker has no software emulation: [micro_vm] accel = \"tcg\" ignored"};
  return {"kvm", "Firecracker runs only on KVM"};
}

Result<StartedVm> FirecrackerVmm::start(const VmSpec& spec) const {
  if (!spec.shares.empty()) {
    return fail(ErrorCode::tier_unavailable,
                "firecracker: " + spec.name +
                    " needs the user's directories shared, and Firecracker has no file-sharing "
                    "device (no 9p, no virtiofs); use [micro_vm] vmm = \"qemu\"");
  }
  const fs::path api = spec.run_dir / "firecracker.sock";
  const fs::path vsock = spec.run_dir / "vsock.sock";
  std::error_code ec;
  fs::remove(api, ec);
  fs::remove(vsock, ec);

  SpawnRequest request;
  request.executable = firecracker_;
  request.argv = {firecracker_, "--api-sock", api.string(), "--id", spec.name};
  request.env = environment();
  request.cgroup_procs = spec.cgroup_procs;
  request.identity = SpawnIdentity{spec.uid, spec.uid, {}};
  request.no_core = true;
  auto child = spawn_hardened(request);
  if (!child) return tl::unexpected(child.error());
  auto fail_start = [&](const Error& error) -> Result<StartedVm> {
    ::kill(child->pid, SIGKILL);
    int status = 0;
    while (::waitpid(child->pid, &status, 0) < 0 && errno == EINTR) {
    }
    return tl::unexpected(error);
  };

  // Its API socket appears once it is up.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!fs::exists(api, ec)) {
    int status = 0;
    if (::waitpid(child->pid, &status, WNOHANG) == child->pid) {
      return tl::unexpected(Error{ErrorCode::guest_exited, "firecracker for " + spec.name +
                                                               " exited before its API socket " +
                                                               api.string() + " appeared"});
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail_start(Error{
          ErrorCode::timeout,
          "firecracker for " + spec.name + ": no API socket at " + api.string() + " within 10 s"});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  FirecrackerVm vm;
  vm.vcpu_count = spec.vcpus;
  vm.mem_size_mib = static_cast<int>(spec.memory_mib);
  vm.kernel_image_path = kernel_;
  vm.initrd_path = initramfs_;
  // Firecracker's serial console is ttyS0; its i8042 reset ends the VM on reboot.
  vm.boot_args = "console=ttyS0 reboot=k panic=-1 pci=off quiet oxydra.link=vsock:" +
                 std::to_string(kLinkVsockPort) + " " + spec.kernel_args;
  if (spec.bootstrap_port)
    vm.boot_args += " oxydra.bootstrap=vsock:" + std::to_string(kBootstrapVsockPort);
  if (!operator_args_.empty()) vm.boot_args += " " + operator_args_;
  vm.drives.push_back({"root", spec.root_disk, true, true});
  vm.guest_cid = kGuestCid;
  vm.vsock_uds_path = vsock;
  FirecrackerApi client(api);
  if (auto configured = client.configure(vm); !configured) return fail_start(configured.error());
  if (auto started = client.start(); !started) return fail_start(started.error());

  StartedVm started;
  started.pid = child->pid;
  started.stdout_read = std::move(child->stdout_read);
  started.stderr_read = std::move(child->stderr_read);
  started.link = vsock_endpoint(vsock, kLinkVsockPort);
  if (spec.bootstrap_port) started.bootstrap = vsock_endpoint(vsock, kBootstrapVsockPort);
  return started;
}

}  // namespace oxydra::runner
