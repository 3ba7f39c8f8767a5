#include "backends/micro_vm/accel_cache.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <filesystem>
#include <fstream>

namespace oxydra::runner {

namespace {

constexpr const char* kCacheDir = "/run/oxydra";
constexpr const char* kCacheFile = "/run/oxydra/micro_vm-accel";
constexpr std::chrono::seconds kProbeTimeout{10};

}  // namespace

AccelChoice cached_accel_choice(const QemuVmm& vmm, VmAccel configured) {
  if (configured != VmAccel::automatic)
    return choose_accel(configured, vmm.probe_guest(), kProbeTimeout);
  utsname host{};
  ::uname(&host);
  const std::string key = vmm.version() + "|" + host.release;
  {
    std::ifstream in(kCacheFile);
    std::string cached_key, accel, reason;
    if (std::getline(in, cached_key) && std::getline(in, accel) && std::getline(in, reason) &&
        cached_key == key && (accel == "kvm" || accel == "tcg")) {
      return {accel, reason + " (probed earlier this boot)"};
    }
  }
  AccelChoice choice = choose_accel(configured, vmm.probe_guest(), kProbeTimeout);
  std::error_code ec;
  std::filesystem::create_directories(kCacheDir, ec);
  ::chmod(kCacheDir, 0700);
  std::ofstream out(kCacheFile);
  out << key << "\n" << choice.accel << "\n" << choice.reason << "\n";
  return choice;
}

}  // namespace oxydra::runner
