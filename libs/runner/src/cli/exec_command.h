#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/user_context.h"
#include "oxydra/sandbox/endpoint.h"
#include "oxydra/sandbox/shell_session.h"

namespace oxydra::runner {

// exec's command line for the daemon's shell: one word is taken as a shell
// command line as it is ("ls -l | wc -l"); several are quoted and joined, so
// `exec -- sh -c 'echo hi'` runs exactly those three words.
std::string shell_command_line(const std::vector<std::string>& words);

// The command's own status: its exit code, 128 + signal, or 124 on timeout.
int exit_status_of(const sandbox::ExecResult& result);

// Runs `command` in a new session of the shell daemon at `endpoint`, streaming
// its output to stdout/stderr; Ctrl-C cancels it. Errors before it ran: 125.
int run_in_shell(const sandbox::SidecarEndpoint& endpoint, const std::string& command,
                 std::optional<std::int64_t> timeout_secs, const Selection& selection);

}  // namespace oxydra::runner
