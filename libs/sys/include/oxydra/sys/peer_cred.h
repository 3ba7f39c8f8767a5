#pragma once

#include <sys/types.h>

#include <optional>
#include <vector>

namespace oxydra::sys {

// Who is at the other end of a connected Unix socket, as the kernel recorded
// it at connect time (SO_PEERCRED, SO_PEERGROUPS), in this process's user
// namespace: a peer whose uid is not mapped here reads as the overflow uid.
struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, when the kernel reports them

  bool in_group(gid_t group) const;
};

// nullopt with errno set when the socket has no peer credentials.
std::optional<PeerCred> peer_cred(int socket_fd);

}  // namespace oxydra::sys
