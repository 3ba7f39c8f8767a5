#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "oxydra/sandbox/seccomp.h"

namespace oxydra::guest_init {

// The guest's end of the VM link (libs/vmlink, docs/protocol.md): one
// process that serves the channels the host opens (`services`: name ->
// Unix socket in the guest) and forwards connections to guest sockets to
// the host (`forwards`: Unix socket made here -> host service name).
struct LinkArguments {
  std::string device;  // a virtio-serial port, or "vsock:PORT" (accepts one connection)
  std::vector<std::pair<std::string, std::string>> services;  // name, socket
  std::vector<std::pair<std::string, std::string>> forwards;  // socket, name
};

// Forks the link process, which opens the device, drops to uid:gid (when
// uid > 0) and its seccomp filter, makes the forward sockets and serves until the host closes the
// link. A shutdown request from the host arrives as one byte on
// `shutdown_fd` (the read end, kept by the caller). Returns the pid, or -1.
// `filter` (may be null): the seccomp program it applies after dropping.
pid_t start_guest_link(const LinkArguments& link, long uid, long gid,
                       const sandbox::SeccompPlan* filter, int& shutdown_fd);

}  // namespace oxydra::guest_init
