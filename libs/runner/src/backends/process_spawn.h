#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "oxydra/sandbox/harden.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// The descriptor number a guest finds its bootstrap socket on (--bootstrap-fd).
inline constexpr int kBootstrapFd = 3;

struct SpawnRequest {
  std::string executable;                        // absolute path
  std::vector<std::string> argv;                 // argv[0] included
  std::vector<std::string> env;                  // the complete environment, "NAME=value"
  const sandbox::HardeningPlan* plan = nullptr;  // none: started as is (an OCI runtime)
  int bootstrap_fd = -1;                         // becomes kBootstrapFd in the child
};

struct SpawnedChild {
  pid_t pid = -1;
  sandbox::ApplyOutcome outcome;
  sys::UniqueFd stdout_read;
  sys::UniqueFd stderr_read;
};

// fork, then in the child (async-signal-safe only): its own process group,
// death with the runner, stdin /dev/null, stdout/stderr to pipes, the
// bootstrap socket as fd 3, every other descriptor closed at exec, the
// hardening plan applied, exec. Returns once the child has exec'd. A child
// whose hardening or exec failed has been reaped, and the error names the step.
// Call from the runner's main thread: PR_SET_PDEATHSIG fires when the thread
// that forked exits, not the process.
Result<SpawnedChild> spawn_hardened(const SpawnRequest& request);

}  // namespace oxydra::runner
