#include "process.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cstdio>
#include <cstring>
#include <thread>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <thread>

#include "shell_state.h"

namespace oxydra::shell_daemon {

namespace {

// Pids of shells we spawned and have not reaped yet (see is_supervised).
std::set<pid_t>& supervised() {
  static std::set<pid_t> pids;
  return pids;
}

struct Pipe {
  sys::UniqueFd read;
  sys::UniqueFd write;
};

Result<Pipe> make_pipe(const char* what) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return tl::unexpected(errno_error(what, errno));
  return Pipe{sys::UniqueFd(fds[0]), sys::UniqueFd(fds[1])};
}

// A memfd that cannot grow past kMaxStateBytes: the state's writes never
// block, and a hostile `export` cannot make the daemon hold more.
Result<sys::UniqueFd> make_state_file() {
  sys::UniqueFd fd(::memfd_create("oxydra-shell-state", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return tl::unexpected(errno_error("memfd_create for state", errno));
  if (::ftruncate(fd.get(), static_cast<off_t>(kMaxStateBytes)) != 0 ||
      ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
    return tl::unexpected(errno_error("size the state file", errno));
  }
  return fd;
}

// Opened once: every command without `stdin` gets a dup of it as fd 0.
int dev_null() {
  static const int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  return fd;
}

// What the child does between vfork and exec, prepared by the parent: the
// child shares the parent's memory, so it may only make system calls and
// write `error`/`step` back.
struct ChildPlan {
  const char* path;
  char* const* argv;
  char* const* envp;
  const char* cwd;
  int fds[4];  // become the child's 0, 1, 2 and kStateFd
  int error = 0;
  const char* step = nullptr;
};

[[noreturn]] void child_fail(ChildPlan* plan, const char* step) {
  plan->error = errno;
  plan->step = step;
  ::_exit(127);
}

// Not posix_spawn: glibc leaves its internal signals (32, 33) ignored in the
// child, and a command must start with every signal at its default. So the
// child resets all dispositions itself, with the raw system call that glibc's
// sigaction refuses for those two.
[[noreturn]] void exec_child(ChildPlan* plan) {
  struct KernelSigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)();
    std::uint64_t mask;
  } default_action{SIG_DFL, 0, nullptr, 0};
  for (int sig = 1; sig <= 64; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::syscall(SYS_rt_sigaction, sig, &default_action, nullptr, sizeof(std::uint64_t));
  }
  if (::setpgid(0, 0) != 0) child_fail(plan, "setpgid");
  // Lift the sources above the targets first: a source may itself be 0-3.
  int high[4];
  for (int i = 0; i < 4; ++i) {
    high[i] = ::fcntl(plan->fds[i], F_DUPFD, 10);
    if (high[i] < 0) child_fail(plan, "dup");
  }
  for (int i = 0; i < 4; ++i) {
    if (::dup2(high[i], i) < 0) child_fail(plan, "dup2");
  }
  // Whatever else is open (inherited by the daemon without close-on-exec) stays behind.
  ::syscall(SYS_close_range, 4u, ~0u, 0u);
  if (::chdir(plan->cwd) != 0) child_fail(plan, "chdir");
  const std::uint64_t no_signals = 0;
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &no_signals, nullptr, sizeof(no_signals));
  ::execve(plan->path, plan->argv, plan->envp);
  child_fail(plan, "exec");
}

// Kept apart so nothing but `pid` lives across vfork in this frame. vfork is
// the point (docs/benchmarks.md: spawn cost): the child only makes system
// calls on memory prepared before it, then execs or _exits.
__attribute__((noinline)) pid_t vfork_exec(ChildPlan* plan) {
  const pid_t pid = ::vfork();     // NOLINT(clang-analyzer-security.insecureAPI.vfork)
  if (pid == 0) exec_child(plan);  // NOLINT(clang-analyzer-unix.Vfork)
  return pid;
}

// Debian 12's <sys/pidfd.h> lacks extern "C", so the glibc wrapper cannot be
// linked from C++; the system call is the same.
int pidfd_open(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings)
    out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<SpawnedProcess> spawn_process(const SpawnSpec& spec) {
  if (spec.argv.empty()) return fail(ErrorCode::spawn_failed, "spawn: empty argv");
  const std::string& program = spec.argv[0];
  struct stat st;
  if (::stat(spec.cwd.c_str(), &st) != 0) {
    return fail(ErrorCode::spawn_failed, errno_error("cwd " + spec.cwd, errno).message);
  }
  if (!S_ISDIR(st.st_mode))
    return fail(ErrorCode::spawn_failed, "cwd " + spec.cwd + ": Not a directory");
  if (dev_null() < 0)
    return fail(ErrorCode::spawn_failed, errno_error("open /dev/null", errno).message);

  auto out = make_pipe("pipe for stdout");
  auto err = make_pipe("pipe for stderr");
  auto state = make_state_file();
  Result<Pipe> in = spec.with_stdin ? make_pipe("pipe for stdin") : Pipe{};
  for (const Result<Pipe>* p : {&out, &err, &in}) {
    if (!*p) return fail(ErrorCode::spawn_failed, p->error().message);
  }
  if (!state) return fail(ErrorCode::spawn_failed, state.error().message);

  auto argv = c_strings(spec.argv);
  auto envp = c_strings(spec.env);
  ChildPlan plan{program.c_str(),
                 argv.data(),
                 envp.data(),
                 spec.cwd.c_str(),
                 {spec.with_stdin ? in->read.get() : dev_null(), out->write.get(), err->write.get(),
                  state->get()}};
  // With every signal blocked, no handler of ours can run in the child
  // before it has reset them.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = vfork_exec(&plan);
  const int vfork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0)
    return fail(ErrorCode::spawn_failed, errno_error("vfork " + program, vfork_errno).message);
  if (plan.step) {
    reap(pid);
    const std::string object = std::string(plan.step) == "chdir"
                                   ? "chdir " + spec.cwd
                                   : std::string(plan.step) + " " + program;
    return fail(ErrorCode::spawn_failed, errno_error(object, plan.error).message);
  }

  SpawnedProcess child;
  child.pid = pid;
  supervised().insert(pid);
  child.pidfd = sys::UniqueFd(pidfd_open(pid));
  if (!child.pidfd) {
    const int e = errno;
    ::kill(-pid, SIGKILL);
    reap(pid);
    return fail(ErrorCode::spawn_failed,
                errno_error("pidfd_open " + std::to_string(pid), e).message);
  }
  child.stdin_pipe = std::move(in->write);
  child.stdout_pipe = std::move(out->read);
  child.stderr_pipe = std::move(err->read);
  child.state_file = std::move(*state);
  return child;
}

std::string read_state_file(int state_file) {
  const off_t written = ::lseek(state_file, 0, SEEK_CUR);
  if (written <= 0) return {};
  std::string data(static_cast<std::size_t>(written), '\0');
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::pread(state_file, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  data.resize(done);
  return data;
}

Result<ExitStatus> peek_exit(pid_t pid) {
  siginfo_t info{};
  int rc;
  do {
    rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return tl::unexpected(errno_error("waitid " + std::to_string(pid), errno));
  ExitStatus status;
  if (info.si_code == CLD_EXITED) {
    status.exit_code = info.si_status;
  } else {
    status.signal = info.si_status;
  }
  return status;
}

void reap(pid_t pid) {
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  supervised().erase(pid);
}

bool is_supervised(pid_t pid) {
  return supervised().count(pid) != 0;
}

void signal_group(pid_t pgid, int sig) {
  if (pgid > 1) ::kill(-pgid, sig);
}

namespace {

// A member of `pgid` that has not exited yet (zombies have; their parent reaps them).
bool group_has_live_member(pid_t pgid) {
  DIR* proc = ::opendir("/proc");
  if (!proc) return false;
  bool live = false;
  while (dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    const std::string path = std::string("/proc/") + entry->d_name + "/stat";
    FILE* stat = std::fopen(path.c_str(), "re");
    if (!stat) continue;
    char buffer[512];
    std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, stat);
    std::fclose(stat);
    buffer[n] = '\0';
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const char* close = std::strrchr(buffer, ')');
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (close && std::sscanf(close + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
        state != 'Z' && state != 'X') {
      live = true;
      break;
    }
  }
  ::closedir(proc);
  return live;
}

}  // namespace

void wait_group_dead(pid_t pgid, std::chrono::milliseconds limit) {
  if (pgid <= 1 || ::kill(-pgid, 0) != 0) return;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (group_has_live_member(pgid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

}  // namespace oxydra::shell_daemon
