#pragma once

#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra::sandbox {

// Every hardening failure: code process_hardening_failed, the message naming
// the call, the object and the errno: "landlock_add_rule /usr: Bad file descriptor".
inline Error hardening_error(std::string_view what, int err) {
  Error error = errno_error(what, err);
  error.code = ErrorCode::process_hardening_failed;
  return error;
}

}  // namespace oxydra::sandbox
