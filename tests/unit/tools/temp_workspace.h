#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "oxydra/testlib/temp_dir.h"
#include "oxydra/tools/open_beneath.h"

namespace oxydra::tools::testing {

// A throwaway <dir>/{shared,tmp,vault,outside} tree, removed afterwards.
class TempWorkspace {
 public:
  TempWorkspace() : dir_("oxydra-tools"), root_(dir_.path()) {
    for (const char* d : {"shared", "tmp", "vault", "outside"}) {
      std::filesystem::create_directories(root_ / d);
    }
  }

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path shared() const { return root_ / "shared"; }
  std::filesystem::path tmp() const { return root_ / "tmp"; }
  std::filesystem::path vault() const { return root_ / "vault"; }
  std::filesystem::path outside() const { return root_ / "outside"; }

  static void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  testlib::TempDir dir_;
  std::filesystem::path root_;
};

inline std::string method_name(const ::testing::TestParamInfo<BeneathMethod>& param) {
  return param.param == BeneathMethod::openat2 ? "openat2" : "walk";
}

}  // namespace oxydra::tools::testing
