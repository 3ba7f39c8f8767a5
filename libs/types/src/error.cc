#include "oxydra/types/error.h"

#include <cstring>
#include <iterator>
#include <ostream>

namespace oxydra {

ErrorCode error_code_from_string(std::string_view name) {
  const auto& names = error_code_detail::kNames;
  for (std::size_t i = 0; i < std::size(names); ++i) {
    if (names[i] == name) return static_cast<ErrorCode>(i);
  }
  return ErrorCode::unrecognized;
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) {
  return out << to_string(code);
}

Error errno_error(std::string_view what, int err) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);
  return Error{ErrorCode::io, std::move(message), err};
}

Error with_context(Error error, std::string_view context) {
  error.message = std::string(context) + ": " + error.message;
  return error;
}

}  // namespace oxydra
