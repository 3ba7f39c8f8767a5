#include "shell_state.h"

namespace oxydra::shell_daemon {

// Notes on the script:
// - `eval ... 3>&-` runs the command in this shell with the state file closed,
//   so nothing the command starts inherits it; the shell restores fd 3 after.
// - The state is written both after the command and from the EXIT trap, which
//   covers `exit` inside the command; the flag keeps it to one record.
// - `shift $#` leaves the command with no positional parameters, like `sh -c`.
std::string_view wrapper_script() {
  return "__oxydra_state() { { pwd; printf '\\0'; export -p; printf '\\0'; } >&3; } 2>/dev/null\n"
         "trap '__oxydra_rc=$?; [ -n \"$__oxydra_done\" ] || __oxydra_state; "
         "exit $__oxydra_rc' EXIT\n"
         "eval \"$2\"\n"
         "__oxydra_cmd=$1\n"
         "shift $#\n"
         "eval \"$__oxydra_cmd\" 3>&-\n"
         "__oxydra_rc=$?\n"
         "__oxydra_state\n"
         "__oxydra_done=1\n"
         "exit $__oxydra_rc\n";
}

std::vector<std::string> wrapper_argv(const std::string& shell, bool login,
                                      const std::string& command, const std::string& exports) {
  return {shell, login ? "-lc" : "-c", std::string(wrapper_script()), "sh", command, exports};
}

std::optional<ShellState> parse_state(std::string_view data) {
  std::optional<ShellState> last;
  while (true) {
    const auto cwd_end = data.find('\0');
    if (cwd_end == std::string_view::npos) break;
    const auto env_end = data.find('\0', cwd_end + 1);
    if (env_end == std::string_view::npos) break;
    std::string_view cwd = data.substr(0, cwd_end);
    if (!cwd.empty() && cwd.back() == '\n') cwd.remove_suffix(1);
    if (!cwd.empty() && cwd.front() == '/') {
      last = ShellState{std::string(cwd),
                        std::string(data.substr(cwd_end + 1, env_end - cwd_end - 1))};
    }
    data.remove_prefix(env_end + 1);
  }
  return last;
}

}  // namespace oxydra::shell_daemon
