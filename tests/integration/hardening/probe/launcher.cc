#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "oxydra/sandbox/enforcement_probe.h"
#include "oxydra/sandbox/harden.h"
#include "oxydra/sandbox/harden_report.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/startup_status.h"
#include "probe.h"
#include "syscall_cases.h"

namespace oxydra::harden_probe {

namespace {

using nlohmann::json;
using sys::UniqueFd;

int fail(const std::string& message) {
  std::printf("%s\n", json{{"error", message}}.dump().c_str());
  return 2;
}

// A loopback TCP listener on an ephemeral port; connects complete in the
// kernel's backlog, so nobody needs to accept.
UniqueFd tcp_listener(std::uint16_t& port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(fd.get(), 8) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return UniqueFd();
  }
  port = ntohs(addr.sin_port);
  return fd;
}

UniqueFd abstract_listener(const std::string& name) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());  // leading NUL: abstract
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(fd.get(), 8) != 0) {
    return UniqueFd();
  }
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

json outcome_json(const sandbox::ApplyOutcome& o) {
  return json{{"ok", o.ok()},           {"error", sandbox::describe(o)},
              {"rlimits", o.rlimits},   {"no_new_privs", o.no_new_privs},
              {"landlock", o.landlock}, {"seccomp", o.seccomp}};
}

}  // namespace

int run_launcher(const json& spec) {
  char exe[PATH_MAX];
  if (!::realpath("/proc/self/exe", exe)) return fail("realpath /proc/self/exe");
  WorkspaceLayout layout =
      workspace_layout(spec.value("workspace_root", ""), spec.value("user", ""));

  std::uint16_t allowed_port = 0, denied_port = 0;
  UniqueFd allowed = tcp_listener(allowed_port);
  UniqueFd denied = tcp_listener(denied_port);
  std::string abstract_name = "oxydra-harden-probe-" + std::to_string(::getpid());
  UniqueFd abstract = abstract_listener(abstract_name);
  if (!allowed || !denied || !abstract) return fail(std::string("listen: ") + std::strerror(errno));

  PolicyResources resources;
  if (spec.contains("max_memory_mib")) resources.max_memory_mib = spec["max_memory_mib"];
  if (spec.contains("max_processes")) resources.max_processes = spec["max_processes"];
  auto hardening = sandbox::process_tier_spec(layout, exe, {allowed_port}, resources);
  auto plan = sandbox::prepare_hardening(hardening);
  if (!plan) return fail(plan.error().message);

  // The probe expects the memory limit only where the plan could set it.
  int memory_limit_mib = plan->rlimits.memory_skipped.empty() ? spec.value("max_memory_mib", 0) : 0;
  // Everything the child needs is built before fork: it must not allocate.
  json args{{"shared", layout.shared.string()}, {"tmp", layout.tmp.string()},
            {"vault", layout.vault.string()},   {"outside", spec.value("outside", "")},
            {"allowed_port", allowed_port},     {"denied_port", denied_port},
            {"abstract_socket", abstract_name}, {"landlock_abi", plan->landlock.abi},
            {"parent_pid", ::getpid()},         {"max_memory_mib", memory_limit_mib}};
  // What the kernel does without the filter, measured here, unfiltered.
  args["baseline"] = kernel_baseline();
  std::string args_text = args.dump();
  const char* child_argv[] = {exe, "--probe", args_text.c_str(), nullptr};

  int status_pipe[2], output_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0 || ::pipe2(output_pipe, O_CLOEXEC) != 0) {
    return fail(std::string("pipe2: ") + std::strerror(errno));
  }
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(output_pipe[1], STDOUT_FILENO);
    sandbox::ApplyOutcome outcome = sandbox::apply_in_child(*plan);
    sandbox::send_outcome(status_pipe[1], outcome);
    if (!outcome.ok()) ::_exit(126);
    ::execv(exe, const_cast<char* const*>(child_argv));
    ::_exit(127);
  }
  ::close(status_pipe[1]);
  ::close(output_pipe[1]);

  auto outcome = sandbox::receive_outcome(status_pipe[0]);
  json result{{"kernel_landlock_abi", sandbox::landlock_abi()}, {"baseline", args["baseline"]}};
  if (outcome) {
    auto measured = sandbox::enforcement_report(*plan, *outcome, sandbox::measure_process(pid));
    result["outcome"] = outcome_json(*outcome);
    result["report"] = to_json(measured.report);
    result["degraded"] = json::array();
    for (const auto& reason : measured.degraded)
      result["degraded"].push_back(to_json(reason));
  } else {
    result["outcome"] = json{{"ok", false}, {"error", outcome.error().message}};
  }
  std::string output = read_all(output_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result["probe_exit"] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto probe = json::parse(output, nullptr, false);
  result["probe"] = probe.is_discarded() ? json(output) : probe;
  std::printf("%s\n", result.dump(2).c_str());
  return 0;
}

}  // namespace oxydra::harden_probe
