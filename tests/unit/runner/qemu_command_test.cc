#include "backends/micro_vm/qemu_command.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace oxydra::runner {
namespace {

bool has(const std::vector<std::string>& argv, const std::string& flag, const std::string& value) {
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag && argv[i + 1] == value) return true;
  }
  return false;
}

TEST(QemuCommand, MicrovmWithConfinedQemuAndReadOnlyRoot) {
  QemuGuest guest;
  guest.qemu = "/usr/bin/qemu-system-x86_64";
  guest.kernel = "/img/vmlinux";
  guest.initramfs = "/img/initramfs.cpio.gz";
  guest.root_disk = "/img/shell-vm.img";
  guest.vcpus = 2;
  guest.memory_mib = 512;
  guest.host_mhz = 2600;
  guest.kernel_args = "oxydra.role=shell-vm";
  guest.shares = {{"shared", "/ws/alice/shared", false}, {"root", "/img/tree", true}};
  guest.ports = {{"org.oxydra.shell", "/ws/alice/ipc/shell/shell.sock"}};
  const auto argv = qemu_argv(guest);
  EXPECT_EQ(argv.front(), "/usr/bin/qemu-system-x86_64");
  EXPECT_TRUE(has(argv, "-M", "microvm,acpi=on"));
  EXPECT_TRUE(has(argv, "-accel", "tcg,tb-size=64"));
  EXPECT_TRUE(has(argv, "-smp", "2"));
  EXPECT_TRUE(has(argv, "-m", "512"));
  EXPECT_TRUE(has(argv, "-append",
                  "console=ttyS0 quiet panic=-1 tsc_early_khz=2600000 oxydra.role=shell-vm"));
  EXPECT_TRUE(has(argv, "-sandbox",
                  "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"));
  EXPECT_TRUE(has(argv, "-drive", "file=/img/shell-vm.img,if=none,format=raw,readonly=on,id=root"));
  EXPECT_TRUE(has(argv, "-fsdev", "local,id=shared,path=/ws/alice/shared,security_model=none"));
  EXPECT_TRUE(has(argv, "-fsdev", "local,id=root,path=/img/tree,security_model=none,readonly=on"));
  EXPECT_TRUE(has(argv, "-chardev",
                  "socket,id=port0,path=/ws/alice/ipc/shell/shell.sock,server=on,wait=off"));
  EXPECT_TRUE(has(argv, "-device", "virtserialport,chardev=port0,name=org.oxydra.shell"));
  // No network device, no PCI, no default devices.
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "-netdev"), 0);
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "-nodefaults"), 1);
}

TEST(QemuCommand, KvmUsesTheHostCpuAndNoTscHint) {
  QemuGuest guest;
  guest.accel = "kvm";
  guest.host_mhz = 2600;
  const auto argv = qemu_argv(guest);
  EXPECT_TRUE(has(argv, "-accel", "kvm"));
  EXPECT_TRUE(has(argv, "-cpu", "host"));
  EXPECT_TRUE(has(argv, "-append", "console=ttyS0 quiet panic=-1"));
}

}  // namespace
}  // namespace oxydra::runner
