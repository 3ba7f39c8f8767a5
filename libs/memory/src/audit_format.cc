#include "audit_format.h"

#include "oxydra/memory/sha256.h"

namespace oxydra::memory {

namespace {

constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::string_view kHashEnd = "\"}";
constexpr std::size_t kSuffixSize = kHashKey.size() + 64 + kHashEnd.size();

}  // namespace

bool is_hex_hash(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string seal_line(std::string_view body) {
  std::string line(body.substr(0, body.size() - 1));  // drop the closing brace
  line += kHashKey;
  line += sha256_hex(body);
  line += kHashEnd;
  return line;
}

SealCheck check_seal(std::string_view line) {
  if (line.size() < kSuffixSize + 2 || line.front() != '{') return SealCheck::malformed;
  std::string_view suffix = line.substr(line.size() - kSuffixSize);
  std::string_view hash = suffix.substr(kHashKey.size(), 64);
  if (!suffix.starts_with(kHashKey) || !suffix.ends_with(kHashEnd) || !is_hex_hash(hash)) {
    return SealCheck::malformed;
  }
  std::string body(line.substr(0, line.size() - kSuffixSize));
  body += '}';
  return sha256_hex(body) == hash ? SealCheck::ok : SealCheck::mismatch;
}

}  // namespace oxydra::memory
