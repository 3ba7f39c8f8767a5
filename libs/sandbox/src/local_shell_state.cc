#include "local_shell_state.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

namespace oxydra::sandbox {

namespace {

// Written last: without it the environment dump was cut short.
constexpr std::string_view kStateEnd = "oxydra-state-end";
// The trap's own shell variables; never part of the user's environment.
constexpr std::string_view kInternalPrefix = "__oxydra";

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

}  // namespace

std::string wrap_command(const std::string& command, const std::string& state_file) {
  // NUL-separated: paths and values may hold newlines. env by absolute path,
  // because the command may have broken PATH.
  return "__oxydra_state=" + shell_quote(state_file) +
         "\ntrap '__oxydra_rc=$?; { printf \"%s\\0\" \"$PWD\"; /usr/bin/env -0 && printf \"" +
         std::string(kStateEnd) +
         "\\0\"; } >\"$__oxydra_state\" 2>/dev/null; exit $__oxydra_rc' EXIT\n" + command + "\n";
}

ShellState read_shell_state(const std::string& state_file) {
  std::ifstream in(state_file, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ::unlink(state_file.c_str());
  std::vector<std::string> fields;
  for (std::size_t pos = 0; pos < data.size();) {
    const auto end = data.find('\0', pos);
    if (end == std::string::npos) break;
    fields.push_back(data.substr(pos, end - pos));
    pos = end + 1;
  }
  ShellState state;
  if (!fields.empty() && !fields.front().empty()) state.cwd = fields.front();
  if (fields.size() < 2 || fields.back() != kStateEnd) return state;
  std::map<std::string, std::string> env;
  for (std::size_t i = 1; i + 1 < fields.size(); ++i) {
    const auto eq = fields[i].find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string name = fields[i].substr(0, eq);
    if (name == "_" || name == "SHLVL" || name.rfind(kInternalPrefix, 0) == 0) continue;
    env.emplace(std::move(name), fields[i].substr(eq + 1));
  }
  state.env = std::move(env);
  return state;
}

std::map<std::string, std::string> base_environment() {
  std::map<std::string, std::string> env;
  const char* path = std::getenv("PATH");
  env["PATH"] = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (const char* name : {"HOME", "USER", "LANG"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  env["TERM"] = "dumb";
  return env;
}

}  // namespace oxydra::sandbox
