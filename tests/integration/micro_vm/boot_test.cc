// The microVM boot images (scripts/build-microvm-images) boot for real: QEMU's
// microvm machine under software emulation (this machine kind's KVM cannot
// boot a stock guest: ../shared/design/tiers.md), direct kernel boot of the
// uncompressed vmlinux, the initramfs's /init loading the virtio modules and
// seeing a virtio-serial port. The guests themselves, booted by the runner,
// are tested in tests/integration/runner/micro_vm_test.cc. No timing is
// asserted; docs/benchmarks.md has the figures.

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "backends/micro_vm/qemu_command.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "oxydra/testlib/run_command.h"
#include "oxydra/testlib/temp_dir.h"

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

TEST(MicroVmBoot, TheProjectKernelAndInitramfsBootUnderQemuMicrovm) {
  const std::string dir = testlib::images_dir() + "/micro_vm";
  OXYDRA_SKIP_UNLESS(!qemu().empty(), "qemu-system-x86_64 is not installed (scripts/install-deps)");
  OXYDRA_SKIP_UNLESS(::access((dir + "/vmlinux").c_str(), R_OK) == 0,
                     "no microVM kernel in " + dir + " (scripts/build-microvm-images)");
  const std::string release = read_line(dir + "/kernel.release");
  testlib::TempDir work("oxmv");
  runner::QemuGuest guest;
  guest.qemu = qemu();
  guest.kernel = dir + "/vmlinux";
  guest.initramfs = dir + "/initramfs.cpio.gz";
  guest.host_mhz = runner::host_cpu_mhz();
  guest.kernel_args = "oxydra.probe=1";
  guest.ports.push_back({"org.oxydra.probe", work.file("probe.sock")});
  auto booted = testlib::run_command(runner::qemu_argv(guest), {}, 120s);
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
