#pragma once

#include <filesystem>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// Mounts the ext4 file system in `image` on `dir` (nosuid, nodev) through a
// loop device set up with the kernel's loop ioctls: a few milliseconds where
// mount(8) spends tens scanning every loop device. The device is released
// when `dir` is unmounted (autoclear). Falls back to mount(8) when the ioctls
// are not there (no /dev/loop-control, an old kernel).
Result<void> mount_ext4_image(const std::filesystem::path& image, const std::filesystem::path& dir);

}  // namespace oxydra::runner
