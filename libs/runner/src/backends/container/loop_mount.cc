#include "backends/container/loop_mount.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

#include "backends/container/oci/command_output.h"
#include "oxydra/sys/unique_fd.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;
using sys::UniqueFd;

constexpr int kClaimAttempts = 16;  // other processes may take the same free device
constexpr unsigned long kMountFlags = MS_NOSUID | MS_NODEV;

// Binds `image` to `loop`, released on its last close after the unmount.
// ENOTTY / EINVAL: the kernel predates LOOP_CONFIGURE (5.8); then the two
// older calls.
int configure(int loop, int image) {
  loop_config config{};
  config.fd = static_cast<__u32>(image);
  config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
  if (::ioctl(loop, LOOP_CONFIGURE, &config) == 0) return 0;
  if (errno != ENOTTY && errno != EINVAL) return -1;
  if (::ioctl(loop, LOOP_SET_FD, image) != 0) return -1;
  loop_info64 info{};
  info.lo_flags = LO_FLAGS_AUTOCLEAR;
  if (::ioctl(loop, LOOP_SET_STATUS64, &info) == 0) return 0;
  const int saved = errno;
  ::ioctl(loop, LOOP_CLR_FD, 0);
  errno = saved;
  return -1;
}

// The loop device's path, bound to `image`; its descriptor stays open in
// `held` until the mount holds its own reference.
Result<std::string> claim_loop_device(const fs::path& image, UniqueFd& held) {
  UniqueFd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (!control) return tl::unexpected(errno_error("open /dev/loop-control", errno));
  UniqueFd backing(::open(image.c_str(), O_RDWR | O_CLOEXEC));
  if (!backing) return tl::unexpected(errno_error("open " + image.string(), errno));
  for (int attempt = 0; attempt < kClaimAttempts; ++attempt) {
    const int index = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
    if (index < 0) return tl::unexpected(errno_error("LOOP_CTL_GET_FREE", errno));
    const std::string path = "/dev/loop" + std::to_string(index);
    UniqueFd loop(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!loop) return tl::unexpected(errno_error("open " + path, errno));
    if (configure(loop.get(), backing.get()) == 0) {
      held = std::move(loop);
      return path;
    }
    if (errno != EBUSY) return tl::unexpected(errno_error("loop setup of " + path, errno));
  }
  return fail(ErrorCode::io, "no free loop device for " + image.string() + " after " +
                                 std::to_string(kClaimAttempts) + " attempts");
}

Result<void> mount_with_tool(const fs::path& image, const fs::path& dir) {
  auto output = run_command(
      {"/bin/mount", "-t", "ext4", "-o", "loop,nosuid,nodev", image.string(), dir.string()},
      std::chrono::seconds(120));
  if (!output) return tl::unexpected(output.error());
  if (output->exit_code != 0) {
    std::string why = output->err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    return fail(ErrorCode::io, "mount " + image.string() + " on " + dir.string() + ": " + why);
  }
  return {};
}

}  // namespace

Result<void> mount_ext4_image(const fs::path& image, const fs::path& dir) {
  UniqueFd held;
  auto device = claim_loop_device(image, held);
  if (!device) {
    spdlog::debug("{}; mounting {} with mount(8)", device.error().message, image.string());
    return mount_with_tool(image, dir);
  }
  if (::mount(device->c_str(), dir.c_str(), "ext4", kMountFlags, nullptr) != 0) {
    return tl::unexpected(
        errno_error("mount " + *device + " (" + image.string() + ") on " + dir.string(), errno));
  }
  return {};
}

}  // namespace oxydra::runner
