#include "oxydra/testlib/temp_dir.h"

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

namespace oxydra::testlib {

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp " + tmpl + " failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace oxydra::testlib
