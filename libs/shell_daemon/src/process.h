#pragma once

#include <sys/types.h>

#include <chrono>

#include <optional>
#include <string>
#include <vector>

#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::shell_daemon {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::vector<std::string> env;   // "NAME=value"
  std::string cwd;
  bool with_stdin = false;  // a pipe on stdin; otherwise /dev/null
};

// A child running in its own process group (pgid == pid), with the daemon's
// ends of its pipes. The pipes are close-on-exec on our side, and the child
// gets nothing but fds 0-2 and the state file on kStateFd.
struct SpawnedProcess {
  pid_t pid = -1;
  sys::UniqueFd pidfd;  // readable once the child has exited
  sys::UniqueFd stdin_pipe;
  sys::UniqueFd stdout_pipe;
  sys::UniqueFd stderr_pipe;
  // Where the wrapper writes the shell's state, read once the shell has
  // exited: a sealed memfd of kMaxStateBytes, so the writes never block and
  // never wake the daemon; its offset (shared with the child's fd 3) is how
  // much was written.
  sys::UniqueFd state_file;
};

// The most shell state (cwd and exports) a command may leave; past it the
// wrapper's writes fail and the session keeps its previous state.
inline constexpr std::size_t kMaxStateBytes = 1u << 20;

// The state the wrapper wrote to `state_file` (empty when none).
std::string read_state_file(int state_file);

// Errors name the object: "spawn /bin/sh: No such file or directory".
Result<SpawnedProcess> spawn_process(const SpawnSpec& spec);

struct ExitStatus {
  std::optional<int> exit_code;  // set when the process exited normally
  std::optional<int> signal;     // set when a signal ended it
};

// The exit status of an exited child, without reaping it: while the zombie
// remains, its pid (and so its process group id) cannot be reused, which makes
// signalling the group afterwards safe.
Result<ExitStatus> peek_exit(pid_t pid);
void reap(pid_t pid);

// True for a shell spawned here and not yet reaped; any other child is an
// orphan that was re-parented to us (see orphan_reaper.h).
bool is_supervised(pid_t pid);

// Sends `sig` to a whole process group; a group that is already gone is fine.
void signal_group(pid_t pgid, int sig);
// After SIGKILL to a group: waits (up to `limit`) until no member of `pgid`
// is still running, so a reply sent next can promise the group is gone.
// Returns at once when the group is already empty, the common case.
void wait_group_dead(pid_t pgid, std::chrono::milliseconds limit);

}  // namespace oxydra::shell_daemon
