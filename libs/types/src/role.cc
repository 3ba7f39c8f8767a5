#include "oxydra/types/role.h"

namespace oxydra {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::system:
      return "system";
    case Role::user:
      return "user";
    case Role::assistant:
      return "assistant";
    case Role::tool:
      return "tool";
  }
  return "user";
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role role : {Role::system, Role::user, Role::assistant, Role::tool}) {
    if (to_string(role) == text) return role;
  }
  return std::nullopt;
}

}  // namespace oxydra
