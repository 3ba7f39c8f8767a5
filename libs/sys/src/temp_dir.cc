#include "oxydra/sys/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>

namespace oxydra::sys {

TempDir TempDir::create(std::string_view prefix, std::error_code& error) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/";
  pattern.append(prefix).append("-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    error = {errno, std::system_category()};
    return {};
  }
  error.clear();
  return TempDir(std::filesystem::path(pattern));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

TempDir::~TempDir() {
  remove();
}

std::error_code TempDir::remove() {
  std::error_code error;
  if (!path_.empty()) std::filesystem::remove_all(path_, error);
  path_.clear();
  return error;
}

}  // namespace oxydra::sys
