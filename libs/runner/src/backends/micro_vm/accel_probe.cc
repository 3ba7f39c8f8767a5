#include "backends/micro_vm/accel_probe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backends/container/oci/command_output.h"

namespace oxydra::runner {

namespace {

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 200) line.resize(200);
  return line;
}

}  // namespace

AccelChoice choose_accel(VmAccel configured, QemuGuest probe, std::chrono::milliseconds timeout) {
  if (configured == VmAccel::kvm) return {"kvm", "forced by [micro_vm] accel = \"kvm\""};
  if (configured == VmAccel::tcg) return {"tcg", "forced by [micro_vm] accel = \"tcg\""};
  const int kvm = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0) {
    return {"tcg", std::string("no usable /dev/kvm (") + std::strerror(errno) +
                       "): software emulation, much slower"};
  }
  ::close(kvm);
  probe.accel = "kvm";
  probe.kernel_args = "oxydra.probe=1";
  probe.shares.clear();
  probe.ports.clear();
  auto booted = run_command(qemu_argv(probe), timeout);
  if (booted && booted->exit_code == 0 &&
      booted->out.find("oxydra-initramfs: up") != std::string::npos) {
    return {"kvm", "KVM booted the probe guest"};
  }
  std::string why;
  if (!booted && booted.error().code == ErrorCode::timeout) {
    why = "the guest did not reach its init within " + std::to_string(timeout.count()) + " ms";
  } else if (!booted) {
    why = booted.error().message;
  } else if (booted->exit_code == 128 + 9) {
    why = "no answer within " + std::to_string(timeout.count()) + " ms";
  } else {
    why = "exit " + std::to_string(booted->exit_code) + ": " +
          first_line(booted->err.empty() ? booted->out : booted->err);
  }
  return {"tcg", "KVM did not boot the probe guest (" + why + "): software emulation, much slower"};
}

}  // namespace oxydra::runner
