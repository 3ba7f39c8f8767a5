#pragma once

#include <string>
#include <vector>

#include "oxydra/testlib/child_process.h"
#include "oxydra/testlib/frame_client.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::testlib {

// The real shell-daemon binary (from bin_dir()) listening on a Unix socket in
// a fresh temporary directory; its log goes to daemon.log there (debug level
// unless `--log-level` is among the extra arguments).
class ShellDaemonProcess {
 public:
  // Starts it and waits for the socket; started() says whether that worked.
  explicit ShellDaemonProcess(std::vector<std::string> extra_args = {});

  bool started() const { return started_; }
  pid_t pid() const { return process_.pid(); }
  const std::string& socket_path() const { return socket_; }
  const TempDir& dir() const { return dir_; }
  std::string log() const { return process_.log(); }

  Result<FrameClient> connect() const { return FrameClient::connect_unix(socket_); }

  // SIGTERM (or `sig`) and wait: the raw wait status, or nullopt on timeout.
  std::optional<int> stop(int sig = 15, std::chrono::milliseconds timeout = 30s);
  ChildProcess& process() { return process_; }

 private:
  TempDir dir_;
  std::string socket_;
  ChildProcess process_;
  bool started_ = false;
};

}  // namespace oxydra::testlib
