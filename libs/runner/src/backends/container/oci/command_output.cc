#include "backends/container/oci/command_output.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "oxydra/sys/unique_fd.h"

namespace oxydra::runner {

namespace {

using sys::UniqueFd;
using Clock = std::chrono::steady_clock;

int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

Result<CommandOutput> run_command(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout) {
  if (argv.empty()) return fail(ErrorCode::internal, "run_command: empty argv");
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return tl::unexpected(errno_error("pipe", errno));
  UniqueFd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return tl::unexpected(errno_error("pipe", errno));
  UniqueFd err_read(err_pipe[0]), err_write(err_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  std::vector<char*> args;
  for (const auto& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  // Helpers get a fixed environment: nothing of the runner's (credentials
  // may be among its variables) and nothing a caller could steer them with.
  char path_var[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  char lang_var[] = "LANG=C";
  char* clean_env[] = {path_var, lang_var, nullptr};
  int spawned = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), clean_env);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return tl::unexpected(errno_error("spawn " + argv[0], spawned));
  out_write.reset();
  err_write.reset();

  CommandOutput result;
  const auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  bool timed_out = false;
  while (open_count > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  result.exit_code = wait_status(pid);
  if (timed_out) {
    return fail(ErrorCode::timeout, argv[0] + " " + (argv.size() > 1 ? argv[1] : "") +
                                        ": no answer within " + std::to_string(timeout.count()) +
                                        " ms");
  }
  return result;
}

}  // namespace oxydra::runner
