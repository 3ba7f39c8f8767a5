// oxydra-vm's idle RSS: starts the real binary with a bootstrap envelope over
// a socketpair, waits until its gateway answers hello, lets it sit idle, and
// reads VmRSS from /proc/<pid>/status. Once without a shell (process tier)
// and once connected to a real shell-daemon (container tier).
//
// Usage: oxydra_vm_rss [idle_seconds]   (binaries from $OXYDRA_BIN_DIR or beside it)

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "oxydra/gateway_client/client.h"
#include "oxydra/testlib/child_process.h"
#include "oxydra/testlib/proc_scan.h"
#include "oxydra/testlib/shell_daemon_process.h"
#include "oxydra/testlib/temp_dir.h"
#include "oxydra/types/frame.h"

namespace {

using namespace oxydra;

nlohmann::json envelope(const std::string& workspace, const std::string& shell_socket) {
  nlohmann::json e = {
      {"protocol_version", 1},
      {"user_id", "bench"},
      {"workspace_root", workspace},
      {"credentials", {{"llm", "sk-bench-not-a-real-key"}}},
      {"agent_config",
       {{"provider", "p"},
        {"providers",
         {{"p", {{"base_url", "http://127.0.0.1:9/v1"}, {"model", "m"}, {"credential", "llm"}}}}}}},
      {"gateway", {{"transport", "unix"}, {"address", workspace + "/ipc/gateway.sock"}}}};
  if (shell_socket.empty()) {
    e["sandbox_tier"] = "process";
    e["startup_status"] = {{"sandbox_tier", "process"}};
  } else {
    e["sandbox_tier"] = "container";
    e["sidecar_endpoint"] = {{"transport", "unix"}, {"address", shell_socket}};
    e["startup_status"] = {
        {"sandbox_tier", "container"}, {"sidecar_available", true}, {"shell_available", true}};
  }
  return e;
}

// Returns VmRSS in KiB after `idle` seconds, or 0.
std::size_t measure(const std::string& shell_socket, int idle) {
  testlib::TempDir workspace("oxy-rss");
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return 0;
  ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  testlib::ChildProcess vm;
  if (!vm.start({testlib::bin_dir() + "/oxydra-vm", "--bootstrap-fd", std::to_string(fds[1]),
                 "--log-level", "warn"},
                workspace.file("vm.log"))) {
    return 0;
  }
  ::close(fds[1]);
  const std::string frame = encode_frame(envelope(workspace.path(), shell_socket).dump());
  (void)!::write(fds[0], frame.data(), frame.size());
  ::close(fds[0]);
  {
    auto client = gateway::Client::connect(workspace.path() + "/ipc/gateway.sock");
    if (!client || !(*client)->hello()) {
      std::fprintf(stderr, "oxydra-vm did not come up:\n%s\n", vm.log().c_str());
      return 0;
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(idle));
  const std::size_t rss = testlib::rss_bytes(vm.pid()) / 1024;
  vm.signal(SIGTERM);
  vm.wait();
  return rss;
}

}  // namespace

int main(int argc, char** argv) {
  const int idle = argc > 1 ? std::atoi(argv[1]) : 2;
  const std::size_t without_shell = measure("", idle);
  testlib::ShellDaemonProcess daemon;
  const std::size_t with_shell = daemon.started() ? measure(daemon.socket_path(), idle) : 0;
  std::printf("oxydra-vm idle RSS (after %d s idle):\n", idle);
  std::printf("  process tier, no shell:      %zu KiB (%.1f MiB)\n", without_shell,
              static_cast<double>(without_shell) / 1024.0);
  std::printf("  with a shell-daemon sidecar: %zu KiB (%.1f MiB)\n", with_shell,
              static_cast<double>(with_shell) / 1024.0);
  std::printf("  target: <= 16 MiB\n");
  return without_shell > 0 && with_shell > 0 ? 0 : 1;
}
