#include "oxydra/testlib/temp_dir.h"

#include <stdexcept>
#include <system_error>

namespace oxydra::testlib {

TempDir::TempDir(const std::string& prefix) {
  std::error_code error;
  dir_ = sys::TempDir::create(prefix, error);
  if (!dir_)
    throw std::runtime_error("create a temporary directory " + prefix + ": " + error.message());
  path_ = dir_.path().string();
}

}  // namespace oxydra::testlib
