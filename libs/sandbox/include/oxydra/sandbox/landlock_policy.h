#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/types/workspace_layout.h"

namespace oxydra::sandbox {

// How a guest may use a path once Landlock is in force. Each class is a fixed
// set of access rights (landlock_policy.cc), cut down to what the kernel's ABI
// handles; a right not granted anywhere is denied everywhere.
enum class PathAccess {
  read,        // read files, list directories
  read_exec,   // read and execute
  read_write,  // read, create, write, truncate, remove, rename within; no device nodes
  device,      // read and write an existing device file (/dev/null); no ioctl
};

std::string_view to_string(PathAccess access);

struct PathRule {
  std::string path;
  PathAccess access = PathAccess::read;
  bool required = false;  // a missing optional path is skipped; a missing required one is an error
};

struct LandlockPolicy {
  std::vector<PathRule> paths;
  std::vector<std::uint16_t> tcp_connect_ports;  // ABI >= 4; empty means no TCP connect at all
  std::vector<std::uint16_t> tcp_bind_ports;     // ABI >= 4; empty means no TCP bind at all
  bool scope_signal = true;                      // ABI >= 6: no signals to processes outside
  bool scope_abstract_unix_socket = true;  // ABI >= 6: no connecting to outside abstract sockets
  bool log_denials_after_exec = false;     // ABI >= 7: audit denials of the exec'd program too
};

// The system paths every guest may read or execute (the table in landlock_policy.cc).
std::vector<PathRule> system_path_rules();

// The user's own directories: shared, tmp, internal and ipc writable, vault
// read-only; nothing else of the workspace root (other users stay invisible).
std::vector<PathRule> workspace_path_rules(const WorkspaceLayout& layout);

// Landlock filesystem rights (LANDLOCK_ACCESS_FS_* bits) of one class, before the
// ABI and the file type cut them down.
std::uint64_t fs_access_rights(PathAccess access);

}  // namespace oxydra::sandbox
