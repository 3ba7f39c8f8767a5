#pragma once

#include <optional>
#include <string>

namespace oxydra::runner {

// A program as the config names it: a path (made absolute) or a name looked
// up in PATH. nullopt when nothing executable is there.
std::optional<std::string> find_program(const std::string& name);

}  // namespace oxydra::runner
