#pragma once

#include <string>

namespace oxydra::testlib {

// A fresh directory under /tmp, removed with its contents on destruction. The
// path is kept short so Unix socket paths inside it fit in sun_path (108 bytes).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "oxy");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace oxydra::testlib
