#pragma once

#include <sys/types.h>

#include <string_view>

#include "oxydra/sys/unique_fd.h"

namespace oxydra::tools {

enum class BeneathMethod {
  automatic,  // openat2 when the kernel has it, else walk
  openat2,    // openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
  walk,       // one component at a time with O_NOFOLLOW, following symlinks by hand
};

struct BeneathResult {
  sys::UniqueFd fd;
  int error = 0;  // errno when fd is not set; EXDEV means the path would leave the root
  explicit operator bool() const { return static_cast<bool>(fd); }
};

// Opens `relative` below the directory `root_fd`, resolving it entirely in the
// kernel's view of that directory: `..` and symbolic links may move around
// inside it but never out of it, absolute paths and absolute symlinks are
// refused (EXDEV), and /proc-style magic links are never followed. Nothing is
// checked by string on a path that could change underneath (no realpath).
// `flags` are open(2) flags; O_CLOEXEC is always added.
BeneathResult open_beneath(int root_fd, std::string_view relative, int flags, mode_t mode = 0,
                           BeneathMethod method = BeneathMethod::automatic);

// Whether this kernel (and seccomp policy) lets us call openat2.
bool openat2_supported();

}  // namespace oxydra::tools
