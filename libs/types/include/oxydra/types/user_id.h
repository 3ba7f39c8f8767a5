#pragma once

#include <cstddef>
#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra {

inline constexpr std::size_t kMaxUserIdLength = 64;

// User ids become directory names under the workspace root, so only a safe
// subset is accepted: 1-64 characters of [A-Za-z0-9._-], not starting with '.',
// and never containing "..". Error code "invalid_user_id"; the message says why.
Result<void> validate_user_id(std::string_view id);

}  // namespace oxydra
