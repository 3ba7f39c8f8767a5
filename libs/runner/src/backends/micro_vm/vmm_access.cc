#include "backends/micro_vm/vmm_access.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;

// Whether uid:gid gets `bits` (4 read, 1 execute) on a file with this stat.
bool permits(const struct stat& st, uid_t uid, gid_t gid, unsigned bits) {
  if (st.st_uid == uid) return ((st.st_mode >> 6) & bits) == bits;
  if (st.st_gid == gid) return ((st.st_mode >> 3) & bits) == bits;
  return (st.st_mode & bits) == bits;
}

std::string mode_text(const struct stat& st) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", st.st_mode & 07777);
  return text;
}

}  // namespace

Result<void> check_vmm_can_reach(const fs::path& path, uid_t uid, gid_t gid, int need) {
  const fs::path absolute = fs::absolute(path).lexically_normal();
  fs::path walked = "/";
  std::vector<fs::path> steps;
  for (const auto& part : absolute.relative_path()) {
    steps.push_back(walked);
    walked /= part;
  }
  for (const fs::path& dir : steps) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
      return tl::unexpected(errno_error("stat " + dir.string(), errno));
    if (!permits(st, uid, gid, 1)) {
      return fail(ErrorCode::path_refused,
                  "the VMM runs as uid " + std::to_string(uid) + " and cannot enter " +
                      dir.string() + " (mode " + mode_text(st) + ", owner " +
                      std::to_string(st.st_uid) + ") on the way to " + absolute.string() +
                      "; hint: chmod o+x " + dir.string());
    }
  }
  struct stat st {};
  if (::stat(absolute.c_str(), &st) != 0)
    return tl::unexpected(errno_error("stat " + absolute.string(), errno));
  const unsigned bits = need == X_OK ? 1 : need == R_OK ? 4 : 5;
  if (!permits(st, uid, gid, bits)) {
    return fail(ErrorCode::path_refused,
                "the VMM runs as uid " + std::to_string(uid) + " and cannot " +
                    (bits == 1 ? "enter " : "read ") + absolute.string() + " (mode " +
                    mode_text(st) + ", owner " + std::to_string(st.st_uid) + ")" +
                    "; hint: chmod o+" + (bits == 1 ? "x " : "r ") + absolute.string());
  }
  return {};
}

}  // namespace oxydra::runner
