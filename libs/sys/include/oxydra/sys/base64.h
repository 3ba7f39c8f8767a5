#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace oxydra::sys {

// Standard base64 (RFC 4648 §4, with padding).
constexpr std::size_t base64_size(std::size_t bytes) {
  return (bytes + 2) / 3 * 4;
}
// Writes base64_size(in.size()) characters at `out`; returns the end.
char* base64_encode(std::string_view in, char* out);
std::string base64_encode(std::string_view in);
// nullopt when `in` is not canonical padded base64.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace oxydra::sys
