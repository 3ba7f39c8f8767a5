#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "oxydra/logging/redact.h"
#include "oxydra/memory/audit.h"

namespace oxydra::memory {

namespace {

// File contents and long outputs do not belong in an audit trail.
constexpr std::size_t kMaxStringBytes = 2048;

constexpr std::array<std::string_view, 9> kSecretParts = {
    "password", "passwd",     "secret", "authorization", "api_key",
    "apikey",   "credential", "cookie", "private_key"};

bool is_secret_key(std::string_view key) {
  std::string k(key);
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) {
    return c == '-' ? '_' : static_cast<char>(std::tolower(c));
  });
  for (auto part : kSecretParts) {
    if (k.find(part) != std::string::npos) return true;
  }
  // "token", "access_token", "secret_key"; not "max_tokens".
  return k.ends_with("token") || k.ends_with("_key");
}

std::string cap(std::string text) {
  if (text.size() <= kMaxStringBytes) return text;
  std::size_t cut = kMaxStringBytes;
  // Never split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  std::string out = text.substr(0, cut);
  out += "...[" + std::to_string(text.size() - cut) + " more bytes]";
  return out;
}

}  // namespace

nlohmann::json redact_arguments(const nlohmann::json& arguments) {
  if (arguments.is_string()) return cap(logging::redact(arguments.get_ref<const std::string&>()));
  if (arguments.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : arguments)
      out.push_back(redact_arguments(item));
    return out;
  }
  if (arguments.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : arguments.items()) {
      bool hide = is_secret_key(key) && !value.is_null();
      out[key] = hide ? nlohmann::json(logging::kRedacted) : redact_arguments(value);
    }
    return out;
  }
  return arguments;
}

}  // namespace oxydra::memory
