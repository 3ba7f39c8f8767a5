#include "oxydra/testlib/temp_dir.h"

#include <sys/mount.h>

#include <stdexcept>
#include <system_error>

#include "oxydra/testlib/mounts.h"

namespace oxydra::testlib {

TempDir::TempDir(const std::string& prefix) {
  std::error_code error;
  dir_ = sys::TempDir::create(prefix, error);
  if (!dir_)
    throw std::runtime_error("create a temporary directory " + prefix + ": " + error.message());
  path_ = dir_.path().string();
}

TempDir::~TempDir() {
  auto mounted = mounts_under(path_);
  for (auto it = mounted.rbegin(); it != mounted.rend(); ++it)
    ::umount2(it->c_str(), MNT_DETACH);
}

}  // namespace oxydra::testlib
