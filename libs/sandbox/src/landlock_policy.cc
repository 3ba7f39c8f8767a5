#include "oxydra/sandbox/landlock_policy.h"

#include "landlock_uapi.h"

namespace oxydra::sandbox {

namespace {

namespace ll = landlock_uapi;

struct SystemPath {
  std::string_view path;
  PathAccess access;
};

// Everything a guest may see of the host filesystem besides its own workspace.
// All entries are optional: a path this host lacks is skipped. /etc is listed
// file by file so that /etc/shadow, /etc/ssh and the like stay unreadable even
// to a guest running as root.
constexpr SystemPath kSystemPaths[] = {
    {"/usr", PathAccess::read_exec},
    {"/lib", PathAccess::read_exec},
    {"/lib64", PathAccess::read_exec},
    {"/lib32", PathAccess::read_exec},
    {"/bin", PathAccess::read_exec},
    {"/sbin", PathAccess::read_exec},
    // Dynamic loader, name service, time zone, TLS trust store.
    {"/etc/ld.so.cache", PathAccess::read},
    {"/etc/ld.so.conf", PathAccess::read},
    {"/etc/ld.so.conf.d", PathAccess::read},
    {"/etc/nsswitch.conf", PathAccess::read},
    {"/etc/host.conf", PathAccess::read},
    {"/etc/gai.conf", PathAccess::read},
    {"/etc/hosts", PathAccess::read},
    {"/etc/hostname", PathAccess::read},
    {"/etc/resolv.conf", PathAccess::read},
    {"/etc/services", PathAccess::read},
    {"/etc/protocols", PathAccess::read},
    {"/etc/passwd", PathAccess::read},
    {"/etc/group", PathAccess::read},
    {"/etc/localtime", PathAccess::read},
    {"/etc/timezone", PathAccess::read},
    {"/etc/mime.types", PathAccess::read},
    {"/etc/ssl", PathAccess::read},
    {"/etc/ca-certificates", PathAccess::read},
    {"/etc/pki", PathAccess::read},
    {"/run/systemd/resolve", PathAccess::read},  // where /etc/resolv.conf often points
    // Runtimes read /proc/self (maps, fd, status), /proc/cpuinfo and the CPU
    // count. Other processes' sensitive entries (environ, mem, fd) stay closed:
    // Landlock refuses ptrace-mode access to processes outside the domain.
    {"/proc", PathAccess::read},
    {"/sys/devices/system/cpu", PathAccess::read},
    {"/dev/null", PathAccess::device},
    {"/dev/zero", PathAccess::device},
    {"/dev/full", PathAccess::device},
    {"/dev/random", PathAccess::read},
    {"/dev/urandom", PathAccess::read},
};

struct WorkspaceDir {
  std::filesystem::path WorkspaceLayout::*dir;
  PathAccess access;
};

// The user's directories (tiers.md): logs/ is written by the runner from the
// guest's pipes, so the guest itself never needs it.
constexpr WorkspaceDir kWorkspaceDirs[] = {
    {&WorkspaceLayout::shared, PathAccess::read_write},
    {&WorkspaceLayout::tmp, PathAccess::read_write},
    {&WorkspaceLayout::internal, PathAccess::read_write},
    {&WorkspaceLayout::ipc, PathAccess::read_write},  // the gateway's listening socket
    {&WorkspaceLayout::vault, PathAccess::read},
};

constexpr std::uint64_t kRead = ll::kFsReadFile | ll::kFsReadDir;
constexpr std::uint64_t kWrite = ll::kFsWriteFile | ll::kFsTruncate | ll::kFsRemoveDir |
                                 ll::kFsRemoveFile | ll::kFsMakeDir | ll::kFsMakeReg |
                                 ll::kFsMakeSock | ll::kFsMakeFifo | ll::kFsMakeSym | ll::kFsRefer;

}  // namespace

std::string_view to_string(PathAccess access) {
  switch (access) {
    case PathAccess::read:
      return "read";
    case PathAccess::read_exec:
      return "read_exec";
    case PathAccess::read_write:
      return "read_write";
    case PathAccess::device:
      return "device";
  }
  return "unknown";
}

std::uint64_t fs_access_rights(PathAccess access) {
  switch (access) {
    case PathAccess::read:
      return kRead;
    case PathAccess::read_exec:
      return kRead | ll::kFsExecute;
    case PathAccess::read_write:
      return kRead | kWrite;
    case PathAccess::device:
      return ll::kFsReadFile | ll::kFsWriteFile;
  }
  return 0;
}

std::vector<PathRule> system_path_rules() {
  std::vector<PathRule> rules;
  for (const auto& entry : kSystemPaths) {
    rules.push_back(PathRule{std::string(entry.path), entry.access, false});
  }
  return rules;
}

std::vector<PathRule> workspace_path_rules(const WorkspaceLayout& layout) {
  std::vector<PathRule> rules;
  for (const auto& entry : kWorkspaceDirs) {
    rules.push_back(PathRule{(layout.*entry.dir).string(), entry.access, true});
  }
  return rules;
}

}  // namespace oxydra::sandbox
