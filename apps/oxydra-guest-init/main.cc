// oxydra-guest-init: PID 1 of a container guest.
//
//   oxydra-guest-init [--lifeline-fd N] [--user UID:GID] -- PROGRAM [ARG...]
//
// --user (microVM guests, which start as root): PROGRAM runs as UID:GID with
// no supplementary groups, an empty capability bounding set and
// no_new_privs. Containers get the same from the OCI runtime instead.
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
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

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
  char** program = nullptr;
};

// In the child, before exec: nothing it could regain. 0, or the errno.
int drop_privileges(long uid, long gid) {
  for (int cap = 0; cap <= 63; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  }
  if (::setgroups(0, nullptr) != 0) return errno;
  if (::setresgid(static_cast<gid_t>(gid), static_cast<gid_t>(gid), static_cast<gid_t>(gid)) != 0)
    return errno;
  if (::setresuid(static_cast<uid_t>(uid), static_cast<uid_t>(uid), static_cast<uid_t>(uid)) != 0)
    return errno;
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  return 0;
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
  out.program = argv + i;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  if (!parse_arguments(argc, argv, args)) {
    std::fprintf(
        stderr,
        "usage: oxydra-guest-init [--lifeline-fd N] [--user UID:GID] -- PROGRAM [ARG...]\n");
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

  pid_t child = ::fork();
  if (child < 0) {
    complain("fork", errno);
    return kUsageExit;
  }
  if (child == 0) {
    ::setpgid(0, 0);
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (args.uid > 0) {
      if (const int error = drop_privileges(args.uid, args.gid); error != 0) {
        complain("dropping privileges", error);
        ::_exit(kExecFailedExit);
      }
    }
    ::execvp(args.program[0], args.program);
    complain(args.program[0], errno);
    ::_exit(kExecFailedExit);
  }

  pollfd fds[2] = {{signals, POLLIN, 0}, {args.lifeline_fd, POLLIN, 0}};
  const nfds_t watched = args.lifeline_fd >= 0 ? 2 : 1;
  for (;;) {
    if (::poll(fds, watched, -1) < 0) {
      if (errno == EINTR) continue;
      complain("poll", errno);
      kill_everything(child);
      return kUsageExit;
    }
    if (watched == 2 && fds[1].revents != 0) {
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
      if (done == child) {
        kill_everything(child);
        return exit_status_of(status);
      }
    }
  }
}
