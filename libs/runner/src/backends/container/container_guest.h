#pragma once

#include <optional>
#include <string>

#include "backends/container/oci/oci_config.h"
#include "oxydra/runner/backend.h"
#include "oxydra/types/guest_images.h"
#include "oxydra/types/user_policy.h"

namespace oxydra::runner {

// What a container guest runs and sees, the same for every container driver:
// its command line (oxydra-guest-init as PID 1), environment (never a secret),
// mounts, network and limits. Drivers add what is theirs: root filesystem,
// id mapping, cgroup path.

// oxydra-vm's view of the user's directories.
inline constexpr const char* kGuestWorkspace = "/workspace";
// Where both guests find the runner's egress proxy (ipc/egress/ on the host).
inline constexpr const char* kGuestEgressDir = "/egress";
inline constexpr const char* kGuestEgressSocket = "/egress/egress.sock";
// PID 1 of every guest; its presence marks a complete guest image.
inline constexpr const char* kGuestInit = guest_images::kGuestInit;

// "shell-vm" or "oxydra-vm".
std::string container_role_name(GuestRole role);
// oxydra-<user>-<role>: the container's name and hostname.
std::string container_name(const std::string& user_id, GuestRole role);
// The part of ipc/ that shell-vm sees as /ipc: only its own socket lives there.
std::filesystem::path shell_ipc_dir(const UserPolicy& policy);
// ipc/gateway/: oxydra-vm's, where it serves the gateway socket.
std::filesystem::path gateway_ipc_dir(const UserPolicy& policy);
// ipc/egress/: the runner's (0711), where it serves the egress proxy.
std::filesystem::path egress_ipc_dir(const UserPolicy& policy);

// `lifeline_fd`: the descriptor the guest's init watches for the runner's
// death, where the driver can pass one (oci); none otherwise (docker).
OciGuest container_guest(GuestRole role, const UserPolicy& policy, std::optional<int> lifeline_fd);

}  // namespace oxydra::runner
