#pragma once

#include <optional>
#include <string_view>

namespace oxydra {

// Who speaks a conversation message: the same four in the provider APIs, the
// store and the agent loop.
enum class Role { system, user, assistant, tool };

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

}  // namespace oxydra
