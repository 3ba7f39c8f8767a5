#include "tier_support.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "oxydra/testlib/paths.h"
#include "oxydra/types/guest_images.h"

namespace oxydra::runner_test {

namespace fs = std::filesystem;

using testlib::images_dir;

namespace {

CommandResult docker(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/docker"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {}, 60s);
}

std::string missing_runc_images() {
  if (::access("/usr/sbin/runc", X_OK) != 0 && ::access("/usr/bin/runc", X_OK) != 0)
    return "runc is not installed (scripts/install-deps installs it)";
  const std::string images = images_dir();
  for (const char* guest : {"shell-vm", "oxydra-vm"}) {
    if (!fs::exists(fs::path(images) / "container" / guest / "opt/oxydra/bin/oxydra-guest-init"))
      return "no guest image in " + images + " (scripts/build-guest-rootfs builds them)";
  }
  return {};
}

std::string missing_docker(bool* absent) {
  const char* host = std::getenv("DOCKER_HOST");
  if (!host || !*host) {
    if (absent) *absent = true;
    return "no Docker daemon: .ci/run starts one with scripts/dockerd (scripts/docker-conformance)";
  }
  if (::geteuid() != 0)
    return "the docker driver needs root (it hands the workspace to the guest's uid)";
  if (::access("/usr/bin/docker", X_OK) != 0)
    return "DOCKER_HOST is set but the docker client is not installed";
  if (docker({"info"}).exit_code != 0)
    return "DOCKER_HOST=" + std::string(host) + " but no daemon answers";
  if (docker({"image", "inspect", guest_images::kShellVmImage}).exit_code != 0 ||
      docker({"image", "inspect", guest_images::kOxydraVmImage}).exit_code != 0)
    return "the guest images are not in the daemon (scripts/import-guest-images)";
  return {};
}

std::string missing_micro_vm() {
  if (::geteuid() != 0) return "the micro_vm tier needs root (cgroups, the VMM's own uid)";
  if (::access("/usr/bin/qemu-system-x86_64", X_OK) != 0)
    return "QEMU is not installed (scripts/install-deps installs qemu-system-x86)";
  const std::string dir = images_dir() + "/micro_vm";
  for (const char* image : {"vmlinux", "initramfs.cpio.gz", "shell-vm.img", "oxydra-vm.img"}) {
    if (!fs::exists(dir + "/" + image))
      return "no " + std::string(image) + " in " + dir + " (scripts/build-microvm-images)";
  }
  return {};
}

}  // namespace

std::string tier_name(TestTier tier) {
  switch (tier) {
    case TestTier::process:
      return "process";
    case TestTier::oci:
      return "oci";
    case TestTier::docker:
      return "docker";
    case TestTier::micro_vm:
      return "micro_vm";
  }
  return "?";
}

std::string tier_test_name(const ::testing::TestParamInfo<TestTier>& param) {
  return tier_name(param.param);
}

bool has_shell(TestTier tier) {
  return tier != TestTier::process;
}

std::string missing_tier_support(TestTier tier, bool* docker_absent) {
  switch (tier) {
    case TestTier::process:
      return missing_kernel_feature();
    case TestTier::oci:
      if (::geteuid() != 0) return "the oci driver needs root (user namespaces set up by runc)";
      return missing_runc_images();
    case TestTier::docker:
      return missing_docker(docker_absent);
    case TestTier::micro_vm:
      return missing_micro_vm();
  }
  return "unknown tier";
}

ConfigOptions tier_options(TestTier tier) {
  ConfigOptions options;
  // The process tier is never a default: --insecure chooses it at start.
  if (tier == TestTier::process) return options;
  options.runner_top = "images_dir = \"" + images_dir() + "\"\n";
  if (tier == TestTier::docker) options.runner_extra = "[container]\ndriver = \"docker\"\n";
  if (tier == TestTier::micro_vm) {
    options.tier = "micro_vm";
    options.memory_mib = 256;  // a VM's RAM is real memory
    options.runner_extra = "[micro_vm]\naccel = \"tcg\"\n";
  }
  return options;
}

std::vector<std::string> tier_start_args(TestTier tier) {
  if (tier == TestTier::process) return {"--insecure", "start", "--detach"};
  return {"start", "--detach"};
}

pid_t docker_guest_pid(const std::string& user, const std::string& role) {
  auto inspected = docker({"inspect", "--format", "{{.State.Pid}}", "oxydra-" + user + "-" + role});
  if (inspected.exit_code != 0) return -1;
  try {
    return static_cast<pid_t>(std::stol(inspected.out));
  } catch (const std::exception&) {
    return -1;
  }
}

void remove_docker_guests(const std::string& user) {
  if (!std::getenv("DOCKER_HOST")) return;
  for (const char* role : {"shell-vm", "oxydra-vm"})
    docker({"rm", "--force", "oxydra-" + user + "-" + role});
}

}  // namespace oxydra::runner_test
