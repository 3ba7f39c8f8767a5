#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

namespace oxydra::sys {

// A private directory (mode 0700) under $TMPDIR or /tmp, removed with all it
// holds when the owner goes away.
class TempDir {
 public:
  // Creates <tmp>/<prefix>-XXXXXX; empty (path() is empty) on failure.
  static TempDir create(std::string_view prefix, std::error_code& error);

  TempDir() = default;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  explicit operator bool() const { return !path_.empty(); }
  // Removes the directory now, reporting what the destructor would ignore.
  std::error_code remove();

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}

  std::filesystem::path path_;
};

}  // namespace oxydra::sys
