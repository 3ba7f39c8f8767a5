#include "backends/micro_vm/qemu_command.h"

#include <fstream>

namespace oxydra::runner {

std::vector<std::string> qemu_argv(const QemuGuest& guest) {
  std::string append = "console=ttyS0 quiet panic=-1";
  // Under TCG the kernel would otherwise spend about a second calibrating
  // the TSC; with KVM it reads the frequency from the host.
  if (guest.accel == "tcg" && guest.host_mhz > 0)
    append += " tsc_early_khz=" + std::to_string(guest.host_mhz * 1000);
  if (!guest.kernel_args.empty()) append += " " + guest.kernel_args;

  // ACPI stays on: this kernel finds virtio-mmio devices only through it.
  std::vector<std::string> argv = {
      guest.qemu.string(), "-M", "microvm,acpi=on", "-accel",
      // TCG's translation cache would otherwise grow
      // to 1 GiB; 64 MiB holds a guest's hot code.
      guest.accel == "tcg" ? "tcg,tb-size=64" : guest.accel, "-cpu",
      guest.accel == "kvm" ? "host" : "max", "-m", std::to_string(guest.memory_mib), "-smp",
      std::to_string(guest.vcpus), "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
      "-serial", "stdio", "-kernel", guest.kernel.string(), "-initrd", guest.initramfs.string(),
      "-append", append};
  if (guest.sandbox) {
    argv.insert(
        argv.end(),
        {"-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"});
  }
  if (guest.root_disk) {
    argv.insert(
        argv.end(),
        {"-drive", "file=" + guest.root_disk->string() + ",if=none,format=raw,readonly=on,id=root",
         "-device", "virtio-blk-device,drive=root"});
  }
  for (const auto& share : guest.shares) {
    argv.insert(argv.end(),
                {"-fsdev",
                 "local,id=" + share.tag + ",path=" + share.path.string() + ",security_model=none" +
                     (share.read_only ? ",readonly=on" : ""),
                 "-device", "virtio-9p-device,fsdev=" + share.tag + ",mount_tag=" + share.tag});
  }
  if (!guest.ports.empty()) argv.insert(argv.end(), {"-device", "virtio-serial-device"});
  int index = 0;
  for (const auto& port : guest.ports) {
    const std::string id = "port" + std::to_string(index++);
    argv.insert(
        argv.end(),
        {"-chardev", "socket,id=" + id + ",path=" + port.socket.string() + ",server=on,wait=off",
         "-device", "virtserialport,chardev=" + id + ",name=" + port.name});
  }
  return argv;
}

long host_cpu_mhz() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("cpu MHz", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) return 0;
    try {
      return std::stol(line.substr(colon + 1));
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

}  // namespace oxydra::runner
