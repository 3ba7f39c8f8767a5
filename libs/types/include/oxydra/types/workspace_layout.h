#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace oxydra {

// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
inline constexpr std::size_t kMaxUnixSocketPath = 107;
// Every socket the project creates in a user's ipc/ directory has a name at
// most this long; the runner config refuses workspace roots that leave less room.
inline constexpr std::size_t kMaxIpcSocketNameLength = 32;

// One user's directories on the host (tiers.md): data in shared/, tmp/, vault/;
// sockets in ipc/ and control/; guest logs in logs/; oxydra-vm's private state in internal/.
struct WorkspaceLayout {
  std::filesystem::path root;  // <workspace_root>/<user_id>
  std::filesystem::path shared;
  std::filesystem::path tmp;
  std::filesystem::path vault;
  std::filesystem::path ipc;      // root's, 0711: guests reach only their subdirectories
  std::filesystem::path control;  // root's, 0700 (0750 for an operator group): the control socket
  std::filesystem::path logs;
  std::filesystem::path internal;
};

// Pure: computes the paths; the runner creates them. `user_id` must be valid.
WorkspaceLayout workspace_layout(const std::filesystem::path& workspace_root,
                                 std::string_view user_id);

// True when `path` equals `dir` or lies below it, comparing normalised
// components (no file system access, so symlinks are not followed).
bool path_within(const std::filesystem::path& path, const std::filesystem::path& dir);

}  // namespace oxydra
