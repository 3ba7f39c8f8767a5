#pragma once

#include <string>

#include "oxydra/sys/temp_dir.h"

namespace oxydra::testlib {

// sys::TempDir for tests: throws when it cannot be made, and keeps the path
// as a string for building socket and file paths. Under $TMPDIR or /tmp: keep
// prefixes short so Unix socket paths inside fit in sun_path (108 bytes).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "oxy");
  // Unmounts what is still mounted inside first: a test that kills a runner
  // with -9 leaves the user's disk images mounted, by design (the next start
  // keeps them).
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  sys::TempDir dir_;
  std::string path_;
};

}  // namespace oxydra::testlib
