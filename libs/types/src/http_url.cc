#include "oxydra/types/http_url.h"

#include <charconv>

namespace oxydra {

namespace {

tl::unexpected<Error> bad_url(std::string_view text, std::string_view why) {
  return fail(ErrorCode::invalid_value, "\"" + std::string(text) + "\" " + std::string(why));
}

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

}  // namespace

Result<HttpUrl> parse_http_url(std::string_view text) {
  HttpUrl url;
  std::string_view rest;
  if (text.substr(0, 7) == "http://") {
    url.scheme = "http";
    url.port = 80;
    rest = text.substr(7);
  } else if (text.substr(0, 8) == "https://") {
    url.scheme = "https";
    url.port = 443;
    rest = text.substr(8);
  } else {
    return bad_url(text, "must start with http:// or https://");
  }
  if (rest.find_first_of("?#@") != std::string_view::npos) {
    return bad_url(text, "must not contain user info, a query or a fragment");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.path = std::string(rest.substr(slash));

  bool has_port = false;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(text, "has an unclosed IPv6 literal");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad_url(text, "has junk after the host");
    has_port = !after.empty();
    if (has_port) port_text = after.substr(1);
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    has_port = colon != std::string_view::npos;
    if (has_port) port_text = authority.substr(colon + 1);
    for (char c : url.host) {
      if (!valid_host_char(c)) return bad_url(text, "has an invalid host");
    }
  }
  if (url.host.empty()) return bad_url(text, "has no host");
  if (has_port) {
    unsigned value = 0;
    const char* first = port_text.data();
    const char* last = first + port_text.size();
    auto [end, ec] = std::from_chars(first, last, value);
    if (port_text.empty() || ec != std::errc() || end != last || value == 0 || value > 65535) {
      return bad_url(text, "has an invalid port");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace oxydra
