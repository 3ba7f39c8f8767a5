#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oxydra::shell_daemon {

// The descriptor on which the wrapper reports the session state back.
inline constexpr int kStateFd = 3;

// A session's state carried from one command to the next: the working
// directory and the exported environment, as `export -p` printed it (the
// same shell evaluates it again, so its quoting never has to be parsed here).
struct ShellState {
  std::string cwd;
  std::string exports;
};

// The wrapper every command runs in: `<shell> -c <script> sh <command> <exports>`.
// It restores the exported environment, runs the command in the shell itself
// (so `cd` and `export` take effect) with the state descriptor closed, and on
// exit writes "<pwd>\n\0<export -p>\0" to the state descriptor.
std::string_view wrapper_script();
std::vector<std::string> wrapper_argv(const std::string& shell, bool login,
                                      const std::string& command, const std::string& exports);

// The last complete state record in what the wrapper wrote, if any.
std::optional<ShellState> parse_state(std::string_view data);

}  // namespace oxydra::shell_daemon
