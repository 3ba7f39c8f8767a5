#include "local_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <pthread.h>

#include "deadline.h"
#include "oxydra/sys/unique_fd.h"

namespace oxydra::sandbox {

namespace {

constexpr auto kKillGrace = std::chrono::seconds(2);
// After the shell exits, output still in the pipes is drained; a process that
// detached into its own session may hold them open, so stop waiting after this.
constexpr auto kDrainLimit = std::chrono::milliseconds(250);

tl::unexpected<Error> spawn_error(const std::string& what, int err) {
  Error error = errno_error(what, err);
  error.code = ErrorCode::spawn_failed;
  return tl::unexpected(std::move(error));
}

struct Pipe {
  sys::UniqueFd read;
  sys::UniqueFd write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return spawn_error("pipe", errno);
  return Pipe{sys::UniqueFd(fds[0]), sys::UniqueFd(fds[1])};
}

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Reads what is available; false at EOF or error (the fd is then closed).
bool pump(sys::UniqueFd& fd, OutputStream stream, const ByteSink& sink) {
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      sink(stream, std::string_view(buffer, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    fd.reset();
    return false;
  }
}

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

// Writes what the pipe takes; false when done or the reader went away. SIGPIPE
// is blocked around the write and a pending one consumed, so a command that
// ignores its stdin cannot kill this process.
bool feed_stdin(int fd, const std::string& data, std::size_t& sent) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  const ssize_t w = ::write(fd, data.data() + sent, data.size() - sent);
  const int err = errno;
  if (w < 0 && err == EPIPE) {
    const timespec zero{};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (w > 0) sent += static_cast<std::size_t>(w);
  if (w < 0 && err != EAGAIN && err != EINTR) return false;
  return sent < data.size();
}

class Spawner {
 public:
  Spawner() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  ~Spawner() {
    posix_spawnattr_destroy(&attr_);
    posix_spawn_file_actions_destroy(&actions_);
  }
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;

  // Own process group, default signal dispositions, empty mask: a command
  // inherits neither our ignored signals nor our blocked ones.
  void isolate_signals() {
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setpgroup(&attr_, 0);
    posix_spawnattr_setsigdefault(&attr_, &all);
    posix_spawnattr_setsigmask(&attr_, &none);
    posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  }
  void dup2(int fd, int target) { posix_spawn_file_actions_adddup2(&actions_, fd, target); }
  void open_null(int target) {
    posix_spawn_file_actions_addopen(&actions_, target, "/dev/null", O_RDONLY, 0);
  }
  void chdir(const std::string& dir) {
    posix_spawn_file_actions_addchdir_np(&actions_, dir.c_str());
  }

  int spawn(pid_t& pid, const LocalCommand& command) {
    std::vector<char*> argv, envp;
    for (const auto& a : command.argv)
      argv.push_back(const_cast<char*>(a.c_str()));
    for (const auto& e : command.env)
      envp.push_back(const_cast<char*>(e.c_str()));
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    return posix_spawn(&pid, argv[0], &actions_, &attr_, argv.data(), envp.data());
  }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

}  // namespace

Result<LocalOutcome> run_local(const LocalCommand& command, const ByteSink& sink) {
  auto out = make_pipe();
  if (!out) return tl::unexpected(out.error());
  auto err = make_pipe();
  if (!err) return tl::unexpected(err.error());
  Result<Pipe> in = Pipe{};
  if (command.stdin_data) in = make_pipe();
  if (!in) return tl::unexpected(in.error());

  Spawner spawner;
  spawner.isolate_signals();
  if (command.stdin_data) {
    spawner.dup2(in->read.get(), 0);
  } else {
    spawner.open_null(0);
  }
  spawner.dup2(out->write.get(), 1);
  spawner.dup2(err->write.get(), 2);
  spawner.chdir(command.cwd);

  const auto start = Clock::now();
  pid_t pid = -1;
  if (int rc = spawner.spawn(pid, command); rc != 0) {
    return spawn_error("spawn " + command.argv[0] + " in " + command.cwd, rc);
  }
  sys::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  out->write.reset();
  err->write.reset();
  sys::UniqueFd stdin_fd;
  if (command.stdin_data) {
    in->read.reset();
    stdin_fd = std::move(in->write);
    set_nonblocking(stdin_fd.get());
  }
  sys::UniqueFd out_fd = std::move(out->read), err_fd = std::move(err->read);
  set_nonblocking(out_fd.get());
  set_nonblocking(err_fd.get());

  LocalOutcome outcome;
  std::size_t stdin_sent = 0;
  const auto timeout_at = command.timeout ? start + *command.timeout : Clock::time_point::max();
  enum class Stopping { no, term_sent, kill_sent } stopping = Stopping::no;
  auto kill_at = Clock::time_point::max();
  auto stop = [&](bool& reason) {
    reason = true;
    if (stopping != Stopping::no) return;
    ::kill(-pid, SIGTERM);
    stopping = Stopping::term_sent;
    kill_at = Clock::now() + kKillGrace;
  };

  for (bool exited = false; !exited;) {
    pollfd fds[5];
    nfds_t n = 0;
    auto watch = [&](int fd, short events) {
      if (fd >= 0) fds[n++] = pollfd{fd, events, 0};
    };
    watch(out_fd.get(), POLLIN);
    watch(err_fd.get(), POLLIN);
    watch(stdin_fd.get(), POLLOUT);
    watch(outcome.cancelled ? -1 : command.cancel_fd, POLLIN);
    watch(pidfd.get(), POLLIN);
    const auto wake = std::min(kill_at, outcome.timed_out ? kill_at : timeout_at);
    // Without a pidfd (old kernels) exit is noticed by polling.
    const int wait_ms = pidfd ? poll_timeout_ms(wake) : std::min(poll_timeout_ms(wake), 50);
    if (::poll(fds, n, wait_ms) < 0 && errno != EINTR) return spawn_error("poll", errno);

    if (out_fd) pump(out_fd, OutputStream::stdout_stream, sink);
    if (err_fd) pump(err_fd, OutputStream::stderr_stream, sink);
    if (stdin_fd && !feed_stdin(stdin_fd.get(), *command.stdin_data, stdin_sent)) stdin_fd.reset();
    if (command.cancel_fd >= 0 && !outcome.cancelled && readable(command.cancel_fd)) {
      stop(outcome.cancelled);
    }
    const auto now = Clock::now();
    if (!outcome.timed_out && now >= timeout_at) stop(outcome.timed_out);
    if (stopping == Stopping::term_sent && now >= kill_at) {
      ::kill(-pid, SIGKILL);
      stopping = Stopping::kill_sent;
      kill_at = Clock::time_point::max();
    }
    // The shell has exited. As a zombie it still holds its pid, so the group id
    // cannot be reused yet: kill what it left behind in the group, then reap it.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      ::kill(-pid, SIGKILL);
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      outcome.wait_status = status;
      exited = true;
    }
  }
  outcome.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);

  const auto drain_until = Clock::now() + kDrainLimit;
  while ((out_fd || err_fd) && !expired(drain_until)) {
    pollfd fds[2];
    nfds_t n = 0;
    if (out_fd) fds[n++] = pollfd{out_fd.get(), POLLIN, 0};
    if (err_fd) fds[n++] = pollfd{err_fd.get(), POLLIN, 0};
    if (::poll(fds, n, poll_timeout_ms(drain_until)) <= 0) break;
    if (out_fd) pump(out_fd, OutputStream::stdout_stream, sink);
    if (err_fd) pump(err_fd, OutputStream::stderr_stream, sink);
  }
  return outcome;
}

}  // namespace oxydra::sandbox
