#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "oxydra/types/error_code.h"

namespace oxydra {

// An error that says what failed and on which object. `code` is what callers
// branch on (error_code.h); `message` is one human-readable line, e.g.
// "open /x/y: Permission denied"; `sys_errno` keeps the errno of a failed
// system call (0 when none), so callers need not parse the text.
struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  int sys_errno = 0;
};

template <typename T>
using Result = tl::expected<T, Error>;

// Shorthand for returning an error from a function returning Result<T>.
inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// "what: strerror(err)", code `io`, sys_errno `err`.
Error errno_error(std::string_view what, int err);
// The same for returning from a function returning Result<T>.
inline tl::unexpected<Error> fail_errno(std::string_view what, int err) {
  return tl::unexpected<Error>(errno_error(what, err));
}

// Prefixes the message with context on the way up: "context: message".
Error with_context(Error error, std::string_view context);

// Propagates a failed Result<U> as a Result<T>'s error with context added:
//   auto fd = open_socket(path);
//   if (!fd) return fail_with(fd, "connect to " + path);
template <typename U>
tl::unexpected<Error> fail_with(const Result<U>& failed, std::string_view context) {
  return tl::unexpected<Error>(with_context(failed.error(), context));
}

}  // namespace oxydra
