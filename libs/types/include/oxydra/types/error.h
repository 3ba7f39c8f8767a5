#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace oxydra {

// An error that says what failed and on which object. `code` is a stable
// snake_case identifier (the wire protocol's error codes where one applies);
// `message` is one human-readable line, e.g. "open /x/y: Permission denied".
struct Error {
  std::string code;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

// Shorthand for returning an error from a function returning Result<T>.
inline tl::unexpected<Error> fail(std::string code, std::string message) {
  return tl::unexpected<Error>(Error{std::move(code), std::move(message)});
}

// "what: strerror(err)", code "io".
Error errno_error(std::string_view what, int err);

// Prefixes the message with context on the way up: "context: message".
Error with_context(Error error, std::string_view context);

}  // namespace oxydra
