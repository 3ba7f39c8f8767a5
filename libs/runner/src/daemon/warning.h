#pragma once

#include <string>

namespace oxydra::runner {

// The banner printed (stderr) whenever a user starts on the process tier.
std::string insecure_warning(const std::string& user_id);

// One line for `status` and the startup summary.
inline constexpr const char* kInsecureStatusLine =
    "WARNING: process tier: isolation is degraded and NOT production-safe";

}  // namespace oxydra::runner
