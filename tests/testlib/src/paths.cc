#include "oxydra/testlib/paths.h"

#include <cstdlib>
#include <filesystem>

namespace oxydra::testlib {

namespace {

std::string from_env(const char* name, const char* fallback) {
  if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  return fallback;
}

}  // namespace

std::string bin_dir() {
  if (const char* dir = std::getenv("OXYDRA_BIN_DIR"); dir != nullptr && *dir != '\0') return dir;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::string source_dir() {
  return from_env("OXYDRA_SOURCE_DIR", OXYDRA_TESTLIB_SOURCE_DIR);
}

std::string images_dir() {
  return from_env("OXYDRA_IMAGES_DIR", OXYDRA_TESTLIB_IMAGES_DIR);
}

}  // namespace oxydra::testlib
