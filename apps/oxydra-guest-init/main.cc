// oxydra-guest-init: PID 1 of a container guest.
//
//   oxydra-guest-init [--lifeline-fd N] [--user UID:GID] [--max-processes N]
//                     [--cwd DIR] [--cgroup DIR] [--seccomp guest|runtime] [--power-off] [--link
//                     DEVICE
//                     [--link-service NAME=SOCKET]...
//                                    [--link-forward SOCKET=NAME]...]
//                     -- PROGRAM [ARG...]
//
// --user (microVM guests, which start as root): PROGRAM runs as UID:GID with
// no supplementary groups, an empty capability bounding set and
// no_new_privs. Containers get the same from the OCI runtime instead.
// --cwd: PROGRAM's working directory.
// --cgroup DIR (VM guests): PROGRAM joins this cgroup (its memory and pids
// limits) before it drops its privileges; init and the link stay outside.
// --seccomp guest|runtime (VM guests; a container gets it from its runtime):
// the allow list of libs/sandbox (every guest's, or oxydra-vm's narrower
// one), applied to PROGRAM and the link process after the privileges drop.
// --power-off (PID 1 of a VM): power the machine off at the end instead of
// exiting, which would panic the kernel.
// --max-processes: RLIMIT_NPROC for that uid (a VM has no host cgroup for it).
// --link (microVM guests): the VM link to the host (guest_link.h). It is the
// lifeline there: when it closes the host is gone and init stops the guest;
// a shutdown request on it sends TERM to PROGRAM.
//
// Runs PROGRAM as its only child, forwards TERM/INT/HUP to it, reaps every
// orphan the PID namespace hands it, and exits with PROGRAM's status. The
// lifeline is the read end of a pipe whose write end only the runner holds:
// when it reads end-of-file the runner is gone (even after kill -9), and the
// guest must not outlive it, so init kills everything in its namespace.

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "guest_link.h"
#include "oxydra/sandbox/seccomp.h"
#include "privileges.h"

namespace {

using oxydra::guest_init::drop_privileges;
using oxydra::guest_init::LinkArguments;

constexpr int kUsageExit = 125;
constexpr int kExecFailedExit = 127;

void complain(const char* what, int error) {
  std::fprintf(stderr, "oxydra-guest-init: %s: %s\n", what, std::strerror(error));
}

int exit_status_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// As PID 1, kill(-1) reaches every other process of the namespace; outside one
// (a debugging run on the host) it would reach far more, so only the child's group.
void kill_everything(pid_t child) {
  if (::getpid() == 1) {
    ::kill(-1, SIGKILL);
  } else {
    ::kill(-child, SIGKILL);
    ::kill(child, SIGKILL);
  }
}

struct Arguments {
  int lifeline_fd = -1;
  long uid = -1;  // --user: run PROGRAM as this uid and gid
  long gid = -1;
  long max_processes = -1;
  const char* cwd = nullptr;
  const char* cgroup = nullptr;  // a cgroup v2 directory PROGRAM joins
  bool power_off = false;
  const char* seccomp = nullptr;  // "guest" or "runtime"
  LinkArguments link;
  char** program = nullptr;
};

// NAME=VALUE into its halves; false when either is empty.
bool split_pair(const char* text, std::pair<std::string, std::string>& out) {
  const std::string_view pair = text;
  const auto equals = pair.find('=');
  if (equals == std::string_view::npos || equals == 0 || equals + 1 == pair.size()) return false;
  out = {std::string(pair.substr(0, equals)), std::string(pair.substr(equals + 1))};
  return true;
}

bool parse_arguments(int argc, char** argv, Arguments& out) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "--user" && i + 1 < argc) {
      char* end = nullptr;
      out.uid = std::strtol(argv[++i], &end, 10);
      if (*end != ':') return false;
      char* gid_end = nullptr;
      out.gid = std::strtol(end + 1, &gid_end, 10);
      if (*gid_end != '\0' || out.uid <= 0 || out.gid <= 0) return false;
    } else if (arg == "--max-processes" && i + 1 < argc) {
      char* end = nullptr;
      out.max_processes = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || out.max_processes <= 0) return false;
    } else if (arg == "--seccomp" && i + 1 < argc) {
      out.seccomp = argv[++i];
      if (std::string_view(out.seccomp) != "guest" && std::string_view(out.seccomp) != "runtime")
        return false;
    } else if (arg == "--power-off") {
      out.power_off = true;
    } else if (arg == "--cgroup" && i + 1 < argc) {
      out.cgroup = argv[++i];
    } else if (arg == "--cwd" && i + 1 < argc) {
      out.cwd = argv[++i];
    } else if (arg == "--link" && i + 1 < argc) {
      out.link.device = argv[++i];
    } else if ((arg == "--link-service" || arg == "--link-forward") && i + 1 < argc) {
      std::pair<std::string, std::string> pair;
      if (!split_pair(argv[++i], pair)) return false;
      (arg == "--link-service" ? out.link.services : out.link.forwards).push_back(pair);
    } else if (arg == "--lifeline-fd" && i + 1 < argc) {
      char* end = nullptr;
      long fd = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || fd < 0 || fd > 1024) return false;
      out.lifeline_fd = static_cast<int>(fd);
    } else {
      return false;
    }
  }
  if (i >= argc) return false;
  if (out.link.device.empty() && (!out.link.services.empty() || !out.link.forwards.empty()))
    return false;
  out.program = argv + i;
  return true;
}

// Copies what is there from `from` to `to`; false at end of file.
bool relay(int from, int to) {
  char buffer[65536];
  const ssize_t n = ::read(from, buffer, sizeof buffer);
  if (n < 0 && errno == EINTR) return true;
  if (n <= 0) return false;
  for (ssize_t done = 0; done < n;) {
    const ssize_t wrote = ::write(to, buffer + done, static_cast<std::size_t>(n - done));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) break;  // the console is gone: drop, never block init
    done += wrote;
  }
  return true;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "exited with status " + std::to_string(exit_status_of(status));
}

// The guest's end: written back to disk first; a VM powers off.
int finish(const Arguments& args, int status) {
  ::sync();
  if (args.power_off && ::getpid() == 1) ::reboot(RB_POWER_OFF);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  if (!parse_arguments(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: oxydra-guest-init [--lifeline-fd N] [--user UID:GID] [--max-processes N]\n"
                 "         [--cwd DIR] [--cgroup DIR] [--seccomp guest|runtime] [--power-off] "
                 "[--link DEVICE "
                 "[--link-service "
                 "NAME=SOCKET]... [--link-forward SOCKET=NAME]...]\n"
                 "         -- PROGRAM [ARG...]\n");
    return kUsageExit;
  }
  if (args.lifeline_fd >= 0 && ::fcntl(args.lifeline_fd, F_SETFD, FD_CLOEXEC) != 0) {
    complain("lifeline descriptor", errno);
    return kUsageExit;
  }

  sigset_t handled;
  sigemptyset(&handled);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP})
    sigaddset(&handled, sig);
  sigset_t previous;
  if (::sigprocmask(SIG_BLOCK, &handled, &previous) != 0) {
    complain("sigprocmask", errno);
    return kUsageExit;
  }
  int signals = ::signalfd(-1, &handled, SFD_CLOEXEC);
  if (signals < 0) {
    complain("signalfd", errno);
    return kUsageExit;
  }

  // No guest process leaves a core (it could hold a credential).
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);

  // Compiled here, before fork: the children only hand the program to the kernel.
  std::optional<oxydra::sandbox::SeccompPlan> filter;
  if (args.seccomp != nullptr) {
    const bool runtime = std::string_view(args.seccomp) == "runtime";
    auto plan = oxydra::sandbox::compile_seccomp_policy(
        runtime ? oxydra::sandbox::SeccompList::runtime : oxydra::sandbox::SeccompList::guest,
        runtime ? "oxydra-runtime-v1" : oxydra::sandbox::kSeccompPolicyName);
    if (!plan) {
      std::fprintf(stderr, "oxydra-guest-init: seccomp: %s\n", plan.error().message.c_str());
      return kUsageExit;
    }
    filter = std::move(*plan);
  }
  const oxydra::sandbox::SeccompPlan* filter_plan = filter ? &*filter : nullptr;

  int shutdown_fd = -1;
  pid_t link = -1;
  if (!args.link.device.empty()) {
    link = oxydra::guest_init::start_guest_link(args.link, args.uid, args.gid, filter_plan,
                                                shutdown_fd);
    if (link < 0) return kUsageExit;
  }

  // In a VM, PROGRAM's output goes through init to the console, as a
  // container's goes through its runtime: a pipe the guest's user owns, not
  // the root-only console device.
  int output[2][2] = {{-1, -1}, {-1, -1}};
  if (!args.link.device.empty()) {
    for (auto& pipe : output) {
      if (::pipe2(pipe, O_CLOEXEC) != 0) {
        complain("pipe", errno);
        return kUsageExit;
      }
      // Its (root's, 0600) inode would otherwise refuse the guest's user
      // reopening it through /proc/<pid>/fd, which a container allows.
      if (args.uid > 0 &&
          ::fchown(pipe[0], static_cast<uid_t>(args.uid), static_cast<gid_t>(args.gid)) != 0) {
        complain("fchown pipe", errno);
      }
    }
  }

  pid_t child = ::fork();
  if (child < 0) {
    complain("fork", errno);
    return kUsageExit;
  }
  if (child == 0) {
    ::setpgid(0, 0);
    if (output[0][1] >= 0 && (::dup2(output[0][1], 1) < 0 || ::dup2(output[1][1], 2) < 0)) {
      ::_exit(kExecFailedExit);
    }
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (args.cgroup != nullptr) {
      const std::string procs = std::string(args.cgroup) + "/cgroup.procs";
      const int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::write(fd, "0", 1) != 1) {
        complain(procs.c_str(), errno);
        ::_exit(kExecFailedExit);
      }
      ::close(fd);
    }
    if (args.max_processes > 0) {
      const rlimit nproc{static_cast<rlim_t>(args.max_processes),
                         static_cast<rlim_t>(args.max_processes)};
      ::setrlimit(RLIMIT_NPROC, &nproc);
    }
    if (args.uid > 0) {
      if (const int error = drop_privileges(args.uid, args.gid); error != 0) {
        complain("dropping privileges", error);
        ::_exit(kExecFailedExit);
      }
    }
    if (filter_plan != nullptr) {
      if (const int error = oxydra::sandbox::apply_seccomp(*filter_plan); error != 0) {
        complain("seccomp", error);
        ::_exit(kExecFailedExit);
      }
    }
    if (args.cwd != nullptr && ::chdir(args.cwd) != 0) {
      complain(args.cwd, errno);
      ::_exit(kExecFailedExit);
    }
    ::execvp(args.program[0], args.program);
    complain(args.program[0], errno);
    ::_exit(kExecFailedExit);
  }

  for (auto& pipe : output) {
    if (pipe[1] >= 0) ::close(pipe[1]);
  }
  pollfd fds[5] = {{signals, POLLIN, 0},
                   {args.lifeline_fd, POLLIN, 0},
                   {shutdown_fd, POLLIN, 0},
                   {output[0][0], POLLIN, 0},
                   {output[1][0], POLLIN, 0}};
  for (;;) {
    for (int stream = 0; stream < 2; ++stream) {
      if (fds[3 + stream].fd >= 0 && fds[3 + stream].revents != 0 &&
          !relay(fds[3 + stream].fd, 1 + stream)) {
        fds[3 + stream].fd = -1;
      }
    }
    if (::poll(fds, 5, -1) < 0) {
      if (errno == EINTR) continue;
      complain("poll", errno);
      kill_everything(child);
      return kUsageExit;
    }
    if (fds[2].revents != 0) {
      char byte;
      if (::read(shutdown_fd, &byte, 1) == 1) {
        std::fprintf(stderr, "oxydra-guest-init: the host asks for a shutdown: stopping %s\n",
                     args.program[0]);
        ::kill(child, SIGTERM);
      } else {
        fds[2].fd = -1;  // the link process is gone; its exit says the rest
      }
    }
    if (fds[1].fd >= 0 && fds[1].revents != 0) {
      char byte;
      ssize_t n = ::read(args.lifeline_fd, &byte, 1);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        std::fprintf(stderr, "oxydra-guest-init: the runner is gone; stopping the guest\n");
        kill_everything(child);
        return 128 + SIGKILL;
      }
    }
    if ((fds[0].revents & POLLIN) == 0) continue;
    signalfd_siginfo info{};
    if (::read(signals, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) continue;
    if (info.ssi_signo != SIGCHLD) {
      ::kill(child, static_cast<int>(info.ssi_signo));
      continue;
    }
    for (;;) {
      int status = 0;
      pid_t done = ::waitpid(-1, &status, WNOHANG);
      if (done <= 0) break;
      if (done == link) {
        std::fprintf(stderr,
                     "oxydra-guest-init: the link to the host closed; stopping the guest\n");
        kill_everything(child);
        return finish(args, 128 + SIGKILL);
      }
      if (done == child) {
        kill_everything(child);
        for (int stream = 0; stream < 2; ++stream) {
          while (fds[3 + stream].fd >= 0 && relay(fds[3 + stream].fd, 1 + stream)) {
          }
        }
        std::fprintf(stderr, "oxydra-guest-init: %s %s\n", args.program[0],
                     describe_status(status).c_str());
        return finish(args, exit_status_of(status));
      }
    }
  }
}
