#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "oxydra/sandbox/daemon_client.h"
#include "oxydra/sandbox/shell_backend.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::sandbox::testing {

// Short prefix: socket paths inside must fit in sun_path.
struct TempDir : testlib::TempDir {
  TempDir() : testlib::TempDir("oxs") {}
};

// <bin_dir>/shell-daemon, or empty when it is not there.
std::string shell_daemon_binary();

// One shell-daemon process listening on a Unix socket.
class DaemonProcess {
 public:
  DaemonProcess(const std::string& binary, std::string socket,
                std::vector<std::string> extra_args = {});
  ~DaemonProcess();  // SIGKILL if still running, then reap

  pid_t pid() const { return pid_; }
  const std::string& socket() const { return socket_; }
  // Sends `signal` and reaps; the wait status.
  int stop(int signal);

 private:
  std::string socket_;
  pid_t pid_ = -1;
};

DaemonClientOptions test_client_options();
SidecarEndpoint unix_endpoint(const std::string& socket);

}  // namespace oxydra::sandbox::testing

// Skips the test unless the daemon binary exists; with OXYDRA_MUST_WORK=1 a
// missing binary fails instead.
#define REQUIRE_SHELL_DAEMON(binary)                                                     \
  do {                                                                                   \
    (binary) = ::oxydra::sandbox::testing::shell_daemon_binary();                        \
    OXYDRA_SKIP_UNLESS(!(binary).empty(), "shell-daemon is not built next to the test"); \
  } while (0)
