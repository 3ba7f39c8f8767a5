#pragma once

#include <string>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// Removes a socket a crashed run left. Only called with the user's lock held,
// when nothing of ours can be serving it. A non-socket at the path is an error.
Result<void> remove_stale_socket(const std::string& path);

}  // namespace oxydra::runner
