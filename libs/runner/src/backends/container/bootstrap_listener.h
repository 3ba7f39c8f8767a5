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
// bootstrap envelope: created 0600 and owned by the guest's host uid (so no
// other user, and no other guest uid, can connect), accepts exactly one
// connection, and is removed as soon as that arrives or the start fails.
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
};

}  // namespace oxydra::runner
