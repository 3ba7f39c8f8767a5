#include "oxydra/types/credential_ref.h"

namespace oxydra {

namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

bool is_env_var_name(std::string_view name) {
  if (name.empty() || is_digit(name.front())) return false;
  for (char c : name) {
    if (!is_alpha(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

Result<CredentialRef> parse_credential_ref(std::string_view text) {
  constexpr std::string_view kEnv = "env:";
  constexpr std::string_view kFile = "file:";
  if (text.substr(0, kEnv.size()) == kEnv) {
    std::string_view name = text.substr(kEnv.size());
    if (!is_env_var_name(name)) {
      return fail(
          ErrorCode::invalid_value,
          "\"" + std::string(text) + "\": env: must name a variable ([A-Za-z_][A-Za-z0-9_]*)");
    }
    return CredentialRef{CredentialRef::Kind::env, std::string(name)};
  }
  if (text.substr(0, kFile.size()) == kFile) {
    std::string_view path = text.substr(kFile.size());
    if (path.empty()) return fail(ErrorCode::invalid_value, "\"file:\" must be followed by a path");
    if (path.find('\0') != std::string_view::npos) {
      return fail(ErrorCode::invalid_value, "file: path must not contain NUL");
    }
    return CredentialRef{CredentialRef::Kind::file, std::string(path)};
  }
  return fail(
      ErrorCode::invalid_value,
      "\"" + std::string(text) + "\" is not a credential ref (expected env:NAME or file:PATH)");
}

std::string to_string(const CredentialRef& ref) {
  return (ref.kind == CredentialRef::Kind::env ? "env:" : "file:") + ref.target;
}

Result<void> validate_credential_name(std::string_view name) {
  if (name.empty()) return fail(ErrorCode::invalid_value, "credential name must not be empty");
  if (name.size() > 64)
    return fail(ErrorCode::invalid_value, "credential name is longer than 64 characters");
  for (char c : name) {
    if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '_' && c != '-') {
      return fail(ErrorCode::invalid_value,
                  "credential name \"" + std::string(name) + "\" may only use A-Z a-z 0-9 . _ -");
    }
  }
  return {};
}

}  // namespace oxydra
