#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra {

// The parts of a provider base URL the runner needs (egress rules allow the
// port) and the provider client needs (everything else goes to libcurl as is).
struct HttpUrl {
  std::string scheme;      // "http" or "https"
  std::string host;        // without brackets for IPv6 literals
  std::uint16_t port = 0;  // explicit, or 80 / 443 from the scheme
  std::string path;        // "" or starting with '/'

  bool operator==(const HttpUrl&) const = default;
};

// Accepts http://host[:port][/path] and https://..., no user info, query or
// fragment. Error code "invalid_value".
Result<HttpUrl> parse_http_url(std::string_view text);

}  // namespace oxydra
