#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace oxydra::runner {

// A program as the config names it: a path (made absolute) or a name looked
// up in PATH. nullopt when nothing executable is there.
std::optional<std::string> find_program(const std::string& name);

// A file installed with the runner (oxydra-vm, the VMM's no-dump library):
// beside the runner's executable in a build tree, else in libexec/oxydra of an
// installed one (/usr/bin/oxydra-runner -> /usr/libexec/oxydra/NAME). The
// first that exists; the one beside it when neither does (for the message).
std::filesystem::path companion_path(std::string_view name);

}  // namespace oxydra::runner
