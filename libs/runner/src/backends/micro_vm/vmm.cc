#include "backends/micro_vm/vmm.h"

#include <unistd.h>

#include "backends/find_program.h"

namespace oxydra::runner {

namespace fs = std::filesystem;

void Vmm::locate_files(const RunnerConfig& runner) {
  const MicroVmTierConfig& c = runner.micro_vm;
  const fs::path images = runner.images_dir / "micro_vm";
  kernel_ = c.kernel.empty() ? images / "vmlinux" : c.kernel;
  initramfs_ = c.initramfs.empty() ? images / "initramfs.cpio.gz" : c.initramfs;
  shell_disk_ = c.shell_vm_rootfs.empty() ? images / "shell-vm.img" : c.shell_vm_rootfs;
  oxydra_disk_ = c.oxydra_vm_rootfs.empty() ? images / "oxydra-vm.img" : c.oxydra_vm_rootfs;
  const fs::path nodump = companion_path(kNoDumpLibrary);
  if (::access(nodump.c_str(), R_OK) == 0) nodump_ = nodump;
}

std::vector<std::string> Vmm::environment() const {
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
  if (!nodump_.empty()) env.push_back("LD_PRELOAD=" + nodump_.string());
  return env;
}

Result<void> Vmm::check_images() const {
  for (const fs::path* image : {&kernel_, &initramfs_, &shell_disk_, &oxydra_disk_}) {
    if (::access(image->c_str(), R_OK) != 0) {
      return fail(ErrorCode::guest_image_missing,
                  "microVM image " + image->string() +
                      " is missing (build them: scripts/build-guest-rootfs, then "
                      "scripts/build-microvm-images)");
    }
  }
  return {};
}

}  // namespace oxydra::runner
