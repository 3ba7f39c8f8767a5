#pragma once

#include <string>

#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// Docker, not the runner, is the guests' parent, so nothing ties them to the
// runner's life. The watchdog is a forked process outside the runner's
// session that holds the read end of a pipe; the runner writes each
// container id it creates into it. When the runner exits, however it dies,
// the pipe reads end of file and the watchdog removes those containers
// (DELETE ?force=1, by id, so a later runner's guests are never touched).
class DockerWatchdog {
 public:
  // `socket`: the Docker daemon's Unix socket.
  static Result<DockerWatchdog> start(const std::string& socket);
  // Adds a container (its full 64-character id) to those removed at exit.
  void watch(const std::string& id) const;

 private:
  explicit DockerWatchdog(sys::UniqueFd write_end) : write_end_(std::move(write_end)) {}
  sys::UniqueFd write_end_;
};

}  // namespace oxydra::runner
