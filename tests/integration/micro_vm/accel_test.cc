// accel = "auto" proves KVM by booting the project's kernel under it rather
// than trusting /dev/kvm's presence. Whatever this host's KVM can do, the
// choice must come with a reason, and a forced choice is taken as is.

#include <unistd.h>

#include <gtest/gtest.h>

#include <iostream>

#include "backends/micro_vm/accel_probe.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "oxydra/testlib/run_command.h"

namespace oxydra::runner {
namespace {

using namespace std::chrono_literals;

TEST(MicroVmAccel, AutoBootsAProbeUnderKvmOrFallsBackWithTheReason) {
  const std::string dir = testlib::images_dir() + "/micro_vm";
  OXYDRA_SKIP_UNLESS(::access("/usr/bin/qemu-system-x86_64", X_OK) == 0,
                     "qemu-system-x86_64 is not installed (scripts/install-deps)");
  OXYDRA_SKIP_UNLESS(::access((dir + "/vmlinux").c_str(), R_OK) == 0,
                     "no microVM kernel in " + dir + " (scripts/build-microvm-images)");
  QemuGuest probe;
  probe.qemu = "/usr/bin/qemu-system-x86_64";
  probe.kernel = dir + "/vmlinux";
  probe.initramfs = dir + "/initramfs.cpio.gz";
  probe.host_mhz = host_cpu_mhz();

  // KVM boots this guest to init in well under a second where it works.
  const AccelChoice choice = choose_accel(VmAccel::automatic, probe, 8s);
  ASSERT_TRUE(choice.accel == "kvm" || choice.accel == "tcg") << choice.accel;
  EXPECT_FALSE(choice.reason.empty());
  if (choice.accel == "kvm") {
    EXPECT_EQ(choice.reason, "KVM booted the probe guest");
  } else {
    EXPECT_NE(choice.reason.find("software emulation"), std::string::npos) << choice.reason;
    std::cout << "accel auto -> tcg: " << choice.reason << "\n";
  }
  // The same probe under TCG always boots: the fallback is a real one.
  probe.accel = "tcg";
  probe.kernel_args = "oxydra.probe=1";
  auto booted = testlib::run_command(qemu_argv(probe), {}, 60s);
  EXPECT_NE(booted.out.find("oxydra-initramfs: up"), std::string::npos) << booted.out << booted.err;

  EXPECT_EQ(choose_accel(VmAccel::tcg, probe, 1s).accel, "tcg");
  EXPECT_EQ(choose_accel(VmAccel::kvm, probe, 1s).accel, "kvm");
}

}  // namespace
}  // namespace oxydra::runner
