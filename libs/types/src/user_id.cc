#include "oxydra/types/user_id.h"

#include <string>

namespace oxydra {

namespace {

bool allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::string describe(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte >= 0x7f) {
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf];
  }
  return std::string("'") + c + "'";
}

}  // namespace

Result<void> validate_user_id(std::string_view id) {
  if (id.empty()) return fail(ErrorCode::invalid_user_id, "user id must not be empty");
  if (id.size() > kMaxUserIdLength) {
    return fail(ErrorCode::invalid_user_id,
                "user id is longer than " + std::to_string(kMaxUserIdLength) + " characters");
  }
  for (char c : id) {
    if (!allowed(c)) {
      return fail(ErrorCode::invalid_user_id,
                  "user id contains " + describe(c) + " (allowed: A-Z a-z 0-9 . _ -)");
    }
  }
  if (id.front() == '.') return fail(ErrorCode::invalid_user_id, "user id must not start with '.'");
  if (id.find("..") != std::string_view::npos) {
    return fail(ErrorCode::invalid_user_id, "user id must not contain \"..\"");
  }
  return {};
}

}  // namespace oxydra
