#include "daemon/warning.h"

namespace oxydra::runner {

std::string insecure_warning(const std::string& user_id) {
  const std::string rule(78, '!');
  return rule + "\n" + "WARNING: INSECURE PROCESS TIER (--insecure) for user " + user_id + "\n" +
         "  Isolation is DEGRADED and this is NOT PRODUCTION-SAFE.\n"
         "  oxydra-vm runs as a plain host process under the runner's own uid, with\n"
         "  only Landlock, seccomp and rlimits between it and your account. There is\n"
         "  no shell-vm: the shell and browser tools are disabled (insecure_process_tier).\n"
         "  Use the process tier for development only.\n" +
         rule + "\n";
}

}  // namespace oxydra::runner
