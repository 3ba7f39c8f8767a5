#pragma once

#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra::sandbox {

// Error code of every hardening failure; the message names the call, the
// object and the errno: "landlock_add_rule /usr: Bad file descriptor".
inline constexpr std::string_view kHardeningError = "process_hardening_failed";

inline Error hardening_error(std::string_view what, int err) {
  Error error = errno_error(what, err);
  error.code = kHardeningError;
  return error;
}

}  // namespace oxydra::sandbox
