#include "oxydra/testlib/shell_daemon_process.h"

#include <algorithm>

namespace oxydra::testlib {

ShellDaemonProcess::ShellDaemonProcess(std::vector<std::string> extra_args)
    : dir_("oxy-sd"), socket_(dir_.file("d.sock")) {
  std::vector<std::string> argv = {bin_dir() + "/shell-daemon", "--socket", socket_};
  if (std::find(extra_args.begin(), extra_args.end(), "--log-level") == extra_args.end()) {
    argv.insert(argv.end(), {"--log-level", "debug"});
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  started_ = process_.start(argv, dir_.file("daemon.log")) && wait_for_path(socket_, 20s);
}

std::optional<int> ShellDaemonProcess::stop(int sig, std::chrono::milliseconds timeout) {
  process_.signal(sig);
  return process_.wait(timeout);
}

}  // namespace oxydra::testlib
