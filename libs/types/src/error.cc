#include "oxydra/types/error.h"

#include <cstring>

namespace oxydra {

Error errno_error(std::string_view what, int err) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);
  return Error{"io", std::move(message)};
}

Error with_context(Error error, std::string_view context) {
  error.message = std::string(context) + ": " + error.message;
  return error;
}

}  // namespace oxydra
