#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace oxydra::runner {

// One guest as QEMU's microvm machine runs it: virtio-mmio devices only, no
// PCI, no firmware, direct boot of an uncompressed vmlinux
// (../shared/design/tiers.md has what was measured here).
struct QemuShare {
  std::string tag;  // the 9p mount tag the guest mounts
  std::filesystem::path path;
  bool read_only = false;
};

// A virtio-serial port whose host side is a Unix socket QEMU listens on.
struct QemuSerialPort {
  std::string name;  // /sys/class/virtio-ports/*/name in the guest
  std::filesystem::path socket;
};

struct QemuGuest {
  std::filesystem::path qemu;  // the qemu-system-x86_64 program
  std::filesystem::path kernel;
  std::filesystem::path initramfs;
  std::optional<std::filesystem::path> root_disk;  // read-only virtio-blk
  std::string accel = "tcg";                       // "kvm" or "tcg"
  int vcpus = 1;
  int memory_mib = 256;
  std::string kernel_args;  // appended after the project's own
  long host_mhz = 0;        // tsc_early_khz under TCG (0: let the kernel calibrate)
  std::vector<QemuShare> shares;
  std::vector<QemuSerialPort> ports;
  bool sandbox = true;  // QEMU's own seccomp filter (-sandbox on, no spawn or privileges)
};

// The complete argv (argv[0] is guest.qemu). The console is the 8250 on
// stdio; 9p shares use security_model=none: the guest's user is the host uid
// QEMU runs as and that owns the user's directories, so the guest sees the
// host's ownership as it is and needs no id mapping.
std::vector<std::string> qemu_argv(const QemuGuest& guest);

// The host CPU's MHz from /proc/cpuinfo (0 when unknown).
long host_cpu_mhz();

}  // namespace oxydra::runner
