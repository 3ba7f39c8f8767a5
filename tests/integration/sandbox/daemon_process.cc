#include "daemon_process.h"

#include "oxydra/testlib/paths.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace oxydra::sandbox::testing {

std::string shell_daemon_binary() {
  std::string path = testlib::bin_dir() + "/shell-daemon";
  return ::access(path.c_str(), X_OK) == 0 ? path : std::string();
}

DaemonProcess::DaemonProcess(const std::string& binary, std::string socket,
                             std::vector<std::string> extra_args)
    : socket_(std::move(socket)) {
  std::vector<std::string> args = {binary, "--socket", socket_};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  if (int rc = ::posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv.data(), environ);
      rc != 0) {
    throw std::runtime_error("spawn " + binary + ": " + std::strerror(rc));
  }
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) stop(SIGKILL);
}

int DaemonProcess::stop(int signal) {
  int status = 0;
  if (pid_ <= 0) return status;
  ::kill(pid_, signal);
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

DaemonClientOptions test_client_options() {
  DaemonClientOptions options;
  // Generous: only there so a broken build fails instead of hanging.
  options.connect.deadline = std::chrono::seconds(30);
  options.connect.initial_backoff = std::chrono::milliseconds(10);
  options.connect.max_backoff = std::chrono::milliseconds(100);
  options.request_timeout = std::chrono::seconds(60);
  return options;
}

SidecarEndpoint unix_endpoint(const std::string& socket) {
  return SidecarEndpoint{"unix", socket};
}

}  // namespace oxydra::sandbox::testing
