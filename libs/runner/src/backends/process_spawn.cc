#include "backends/process_spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "oxydra/sys/io.h"

namespace oxydra::runner {

namespace {

using sys::UniqueFd;

// Child side, before the outcome is sent: the parent reads an outcome that
// says the identity step failed, with the errno.
[[noreturn]] void child_failed(int status_fd, int error) {
  sandbox::ApplyOutcome outcome;
  outcome.failed_step = sandbox::HardeningStep::no_new_privs;
  outcome.error = error;
  sandbox::send_outcome(status_fd, outcome);
  ::_exit(126);
}

// Child side. Everything it touches was built before fork; it calls only
// async-signal-safe functions, since the runner has other threads.
[[noreturn]] void run_child(const SpawnRequest& request, pid_t parent, int null_fd, int out_fd,
                            int err_fd, int status_fd, char* const* argv, char* const* envp) {
  ::setpgid(0, 0);  // the terminal's Ctrl-C goes to the runner, which stops guests in order
  // SIGKILL: the guest must not outlive the runner, even one killed with -9.
  // The parent may already be gone before prctl took effect: check.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(125);

  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP})
    ::sigaction(sig, &dfl, nullptr);

  // Move the sources above the targets first, so no dup2 clobbers another's source.
  const int sources[] = {null_fd, out_fd, err_fd, request.bootstrap_fd};
  const int count = request.bootstrap_fd >= 0 ? 4 : 3;
  int high[4];
  for (int i = 0; i < count; ++i) {
    high[i] = ::fcntl(sources[i], F_DUPFD_CLOEXEC, 16);
    if (high[i] < 0) ::_exit(125);
  }
  for (int target = 0; target < count; ++target) {
    if (::dup2(high[target], target) < 0) ::_exit(125);  // dup2 clears FD_CLOEXEC
  }
  // Everything else closes at exec; the status pipe and the Landlock ruleset
  // are still needed until then.
  if (::syscall(SYS_close_range, static_cast<unsigned>(count), ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = count; fd < 65536; ++fd)
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }

  // "0" moves the writer itself.
  for (const std::string& procs : request.cgroup_procs) {
    const int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1) child_failed(status_fd, errno);
    ::close(fd);
  }
  if (request.no_core) {
    const rlimit no_core{0, 0};
    if (::setrlimit(RLIMIT_CORE, &no_core) != 0) child_failed(status_fd, errno);
  }
  if (const auto& who = request.identity) {
    if (::setgroups(who->groups.size(), who->groups.data()) != 0 ||
        ::setresgid(who->gid, who->gid, who->gid) != 0 ||
        ::setresuid(who->uid, who->uid, who->uid) != 0 ||
        ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      child_failed(status_fd, errno);
    }
  }

  sandbox::ApplyOutcome outcome =
      request.plan ? sandbox::apply_in_child(*request.plan) : sandbox::ApplyOutcome{};
  sandbox::send_outcome(status_fd, outcome);
  if (!outcome.ok()) ::_exit(126);
  ::execve(request.executable.c_str(), argv, envp);
  int err = errno;
  sys::write_all(status_fd, {reinterpret_cast<const char*>(&err), sizeof err});
  ::_exit(127);
}

std::vector<char*> c_strings(const std::vector<std::string>& items) {
  std::vector<char*> out;
  for (const auto& item : items)
    out.push_back(const_cast<char*>(item.c_str()));
  out.push_back(nullptr);
  return out;
}

Result<std::pair<UniqueFd, UniqueFd>> make_pipe(const std::string& what) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return tl::unexpected(errno_error("pipe for " + what, errno));
  return std::make_pair(UniqueFd(fds[0]), UniqueFd(fds[1]));
}

void reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

Result<SpawnedChild> spawn_hardened(const SpawnRequest& request) {
  const std::string& exe = request.executable;
  UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null_fd) return tl::unexpected(errno_error("open /dev/null", errno));
  auto out = make_pipe(exe + " stdout");
  if (!out) return tl::unexpected(out.error());
  auto err = make_pipe(exe + " stderr");
  if (!err) return tl::unexpected(err.error());
  auto status = make_pipe(exe + " hardening status");
  if (!status) return tl::unexpected(status.error());
  auto argv = c_strings(request.argv);
  auto envp = c_strings(request.env);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return tl::unexpected(errno_error("fork for " + exe, errno));
  if (pid == 0) {
    run_child(request, parent, null_fd.get(), out->second.get(), err->second.get(),
              status->second.get(), argv.data(), envp.data());
  }
  out->second.reset();
  err->second.reset();
  status->second.reset();

  auto outcome = sandbox::receive_outcome(status->first.get());
  if (!outcome) {
    reap(pid);
    return tl::unexpected(with_context(outcome.error(), "start " + exe));
  }
  if (!outcome->ok()) {
    reap(pid);
    return fail(ErrorCode::hardening_failed, "start " + exe +
                                                 ": hardening failed in the child, so it was "
                                                 "not started: " +
                                                 sandbox::describe(*outcome));
  }
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(status->first.get(), &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    reap(pid);
    return tl::unexpected(errno_error("exec " + exe, exec_errno));
  }
  return SpawnedChild{pid, *outcome, std::move(out->first), std::move(err->first)};
}

}  // namespace oxydra::runner
