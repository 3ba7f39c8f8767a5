#include "config_problems.h"

namespace oxydra::detail {

namespace {

bool is_bare_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    const bool bare = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-';
    if (!bare) return false;
  }
  return true;
}

std::string quote_key(std::string_view key) {
  std::string out = "\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

void ConfigProblems::add(std::string_view key_path, std::string_view reason) {
  if (first_) return;
  std::string message = prefix_;
  message += key_path;
  message += ": ";
  message += reason;
  first_ = Error{ErrorCode::invalid_config, std::move(message)};
}

bool ConfigProblems::check(bool condition, std::string_view key_path, std::string_view reason) {
  if (!condition) add(key_path, reason);
  return condition;
}

std::string join_key(std::string_view parent, std::string_view key) {
  std::string part = is_bare_key(key) ? std::string(key) : quote_key(key);
  if (parent.empty()) return part;
  return std::string(parent) + "." + part;
}

}  // namespace oxydra::detail
