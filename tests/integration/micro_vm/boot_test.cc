// The microVM boot images (scripts/build-microvm-images) boot for real: QEMU's
// microvm machine under software emulation (this machine kind's KVM cannot
// boot a stock guest: ../shared/design/tiers.md), direct kernel boot of the
// uncompressed vmlinux, the initramfs's /init loading the virtio modules and
// seeing a virtio-serial port. No timing is asserted; docs/benchmarks.md has
// the figures.

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "oxydra/testlib/run_command.h"

namespace oxydra {
namespace {

using namespace std::chrono_literals;

std::string qemu() {
  for (const char* path : {"/usr/bin/qemu-system-x86_64", "/usr/local/bin/qemu-system-x86_64"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

long host_mhz() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("cpu MHz", 0) == 0) return std::stol(line.substr(line.find(':') + 1));
  }
  return 0;
}

TEST(MicroVmBoot, TheProjectKernelAndInitramfsBootUnderQemuMicrovm) {
  const std::string dir = testlib::images_dir() + "/micro_vm";
  OXYDRA_SKIP_UNLESS(!qemu().empty(), "qemu-system-x86_64 is not installed (scripts/install-deps)");
  OXYDRA_SKIP_UNLESS(::access((dir + "/vmlinux").c_str(), R_OK) == 0,
                     "no microVM kernel in " + dir + " (scripts/build-microvm-images)");
  const std::string release = read_line(dir + "/kernel.release");
  std::string append = "console=ttyS0 quiet panic=-1 oxydra.probe=1";
  // Without it the kernel calibrates the TSC for a second under emulation.
  if (const long mhz = host_mhz(); mhz > 0)
    append += " tsc_early_khz=" + std::to_string(mhz * 1000);
  auto booted = testlib::run_command({qemu(),
                                      "-M",
                                      "microvm,acpi=on",
                                      "-accel",
                                      "tcg",
                                      "-cpu",
                                      "max",
                                      "-m",
                                      "256",
                                      "-smp",
                                      "1",
                                      "-nodefaults",
                                      "-no-user-config",
                                      "-nographic",
                                      "-no-reboot",
                                      "-serial",
                                      "stdio",
                                      "-kernel",
                                      dir + "/vmlinux",
                                      "-initrd",
                                      dir + "/initramfs.cpio.gz",
                                      "-append",
                                      append,
                                      "-device",
                                      "virtio-serial-device",
                                      "-chardev",
                                      "null,id=probe",
                                      "-device",
                                      "virtserialport,chardev=probe,name=org.oxydra.probe"},
                                     {}, 120s);
  ASSERT_FALSE(booted.timed_out) << booted.out << booted.err;
  EXPECT_EQ(booted.exit_code, 0) << booted.err;
  EXPECT_NE(booted.out.find("oxydra-initramfs: up "), std::string::npos) << booted.out;
  EXPECT_NE(booted.out.find("kernel " + release), std::string::npos) << booted.out;
  EXPECT_NE(booted.out.find("ports 1"), std::string::npos) << "no virtio-serial port:\n"
                                                           << booted.out;
  EXPECT_EQ(booted.out.find("insmod"), std::string::npos) << "a module failed to load:\n"
                                                          << booted.out;
  utsname host{};
  ::uname(&host);
  EXPECT_NE(release, host.release) << "the guest must run its own kernel";
}

}  // namespace
}  // namespace oxydra
