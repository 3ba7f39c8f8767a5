#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "oxydra/sandbox/harden.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// The descriptor number a guest finds its bootstrap socket on (--bootstrap-fd).
inline constexpr int kBootstrapFd = 3;

// Who the child becomes before exec (a runner that is root).
struct SpawnIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (e.g. the owner of /dev/kvm)
};

struct SpawnRequest {
  std::string executable;                        // absolute path
  std::vector<std::string> argv;                 // argv[0] included
  std::vector<std::string> env;                  // the complete environment, "NAME=value"
  const sandbox::HardeningPlan* plan = nullptr;  // none: started as is (an OCI runtime)
  int bootstrap_fd = -1;                         // becomes kBootstrapFd in the child; -1: none
  // cgroup.procs files the child moves itself into first, so everything it
  // allocates is charged there.
  std::vector<std::string> cgroup_procs;
  std::optional<SpawnIdentity> identity;  // then drops to this user, with no_new_privs
  bool no_core = false;                   // RLIMIT_CORE 0, hard: no dump of its memory
};

struct SpawnedChild {
  pid_t pid = -1;
  sandbox::ApplyOutcome outcome;
  sys::UniqueFd stdout_read;
  sys::UniqueFd stderr_read;
};

// fork, then in the child (async-signal-safe only): its own process group,
// death with the runner, stdin /dev/null, stdout/stderr to pipes, the
// bootstrap socket as fd 3, every other descriptor closed at exec, its
// cgroups joined, the identity taken, the hardening plan applied, exec. Returns once the child has
// exec'd. A child whose hardening or exec failed has been reaped, and the error names the step.
// Call from the runner's main thread: PR_SET_PDEATHSIG fires when the thread
// that forked exits, not the process.
Result<SpawnedChild> spawn_hardened(const SpawnRequest& request);

}  // namespace oxydra::runner
