#pragma once

#include <map>
#include <optional>
#include <string>

namespace oxydra::sandbox {

// How the local session carries a shell's working directory and exported
// environment from one `sh -c` to the next: the command runs under an EXIT
// trap that writes both to a state file, read back after the command.

// The script to run with `sh -c`: the trap, then `command` in the same shell.
std::string wrap_command(const std::string& command, const std::string& state_file);

// What the trap recorded; a part is absent when the shell did not get to write
// it (killed, or `exec`ed another program). Removes the file.
struct ShellState {
  std::optional<std::string> cwd;
  std::optional<std::map<std::string, std::string>> env;
};
ShellState read_shell_state(const std::string& state_file);

// What a fresh local session starts with: PATH, HOME, USER, LANG, TERM=dumb.
// Nothing else of this process's environment is passed on.
std::map<std::string, std::string> base_environment();

}  // namespace oxydra::sandbox
