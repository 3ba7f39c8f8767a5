#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/sys/unique_fd.h"
#include "oxydra/tools/open_beneath.h"
#include "oxydra/types/error.h"

namespace oxydra::tools {

// A directory the file tools may use.
struct RootSpec {
  std::string name;            // "shared": how messages and listings name it
  std::filesystem::path path;  // the directory as this process sees it
  bool writable = true;
  // Other absolute paths that mean this directory, e.g. where the shell guest
  // mounts it, so a path the model saw in shell output works here too.
  std::vector<std::filesystem::path> aliases = {};
};

// shared (relative paths start here), tmp, and vault read-only when given.
std::vector<RootSpec> workspace_roots(const std::filesystem::path& shared,
                                      const std::filesystem::path& tmp,
                                      const std::filesystem::path& vault = {});

enum class Access { read, write };

// A model-supplied path mapped to one root and a normalised path below it
// (no ".", "..", or empty components; "" is the root itself).
struct Location {
  std::size_t root = 0;
  std::string relative;
  std::string display;  // "shared/notes/a.txt": what messages show
};

// The confinement of the file tools. Each root directory is opened once; every
// later open resolves beneath that descriptor in the kernel (open_beneath), so
// `..`, absolute paths outside the roots and symlinks leading out are refused
// however the tree changes meanwhile.
class FileRoots {
 public:
  // The first root is the default for relative paths. Fails when a root cannot
  // be opened as a directory.
  static Result<std::shared_ptr<const FileRoots>> open(
      std::vector<RootSpec> roots, BeneathMethod method = BeneathMethod::automatic);

  // Lexical only: picks the root (longest matching absolute prefix, else the
  // first root) and normalises. Refuses, with a message naming the allowed
  // folders, paths outside every root, `..` above a root, NUL bytes, and
  // writes to a read-only root.
  Result<Location> locate(std::string_view path, Access access) const;

  // Opens a located path beneath its root. Messages name `display`; code
  // path_refused when a symlink would lead out, not_found, already_exists, or io.
  Result<sys::UniqueFd> open(const Location& at, int flags, mode_t mode = 0) const;

  // Creates the missing directories above `at` (mode 0755 before umask).
  Result<void> create_parents(const Location& at) const;

  const std::vector<RootSpec>& roots() const { return specs_; }
  // One line per root for tool descriptions: "shared/ = /w/shared (default)".
  std::string summary() const;

  FileRoots(std::vector<RootSpec> specs, std::vector<sys::UniqueFd> fds, BeneathMethod method);

 private:
  std::string allowed_folders() const;
  Error open_error(const Location& at, int err) const;

  std::vector<RootSpec> specs_;
  std::vector<sys::UniqueFd> fds_;
  BeneathMethod method_;
};

}  // namespace oxydra::tools
