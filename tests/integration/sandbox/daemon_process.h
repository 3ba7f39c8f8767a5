#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "oxydra/sandbox/daemon_client.h"
#include "oxydra/sandbox/shell_backend.h"

namespace oxydra::sandbox::testing {

// A private temp directory, removed with its contents; short enough for sun_path.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// $OXYDRA_BIN_DIR/shell-daemon, or empty when it is not there.
std::string shell_daemon_binary();

// One shell-daemon process listening on a Unix socket.
class DaemonProcess {
 public:
  DaemonProcess(std::string binary, std::string socket, std::vector<std::string> extra_args = {});
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
#define REQUIRE_SHELL_DAEMON(binary)                                            \
  do {                                                                          \
    binary = ::oxydra::sandbox::testing::shell_daemon_binary();                 \
    if (binary.empty()) {                                                       \
      const char* must = std::getenv("OXYDRA_MUST_WORK");                       \
      if (must && std::string(must) == "1") FAIL() << "shell-daemon not built"; \
      GTEST_SKIP() << "shell-daemon not found in $OXYDRA_BIN_DIR";              \
    }                                                                           \
  } while (0)
