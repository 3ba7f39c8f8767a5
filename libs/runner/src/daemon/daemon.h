#pragma once

#include <functional>

#include "daemon/user_context.h"

namespace oxydra::runner {

struct DaemonHooks {
  // Called once the pair is ready and the summary is printed (start --detach
  // uses it to let the waiting parent go).
  std::function<void()> on_ready;
};

// Flow 1 of architecture.md for one user: create the tier's backend, resolve
// credentials, provision, take the user's lock, clean a crashed run's
// leftovers, serve the control socket, start the pair, print what isolation
// is in force, then supervise until `stop`, SIGINT or SIGTERM. Returns the
// exit status: 0 after a requested stop, 1 when the start failed, or the
// status of an error before startup (kExitAlreadyRunning, ...).
int run_daemon(UserContext context, const DaemonHooks& hooks);

}  // namespace oxydra::runner
