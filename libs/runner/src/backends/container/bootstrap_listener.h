#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// The one-shot startup socket a container's oxydra-vm connects to for its
// bootstrap envelope, in the runner's ipc/: created 0660, the runner's, with
// the guest's host gid as its group (so no other user can connect and the
// guest cannot replace or chmod it); only a peer of uid `owner` is served
// (SO_PEERCRED). Accepts exactly one connection, and is removed as soon as
// that arrives or the start fails.
class BootstrapListener {
 public:
  static Result<BootstrapListener> open(const std::string& path, uid_t owner, gid_t group);
  BootstrapListener(BootstrapListener&&) noexcept;
  BootstrapListener& operator=(BootstrapListener&&) = delete;
  ~BootstrapListener();

  // Waits for the guest's connection. `gone` is polled while waiting: it
  // returns why the guest can no longer connect (it exited), ending the wait.
  Result<sys::UniqueFd> accept_one(std::chrono::milliseconds timeout,
                                   const std::function<std::optional<std::string>()>& gone);

 private:
  BootstrapListener(std::string path, sys::UniqueFd fd)
      : path_(std::move(path)), fd_(std::move(fd)) {}

  std::string path_;
  sys::UniqueFd fd_;
  uid_t owner_ = 0;  // the only peer uid accepted
};

}  // namespace oxydra::runner
