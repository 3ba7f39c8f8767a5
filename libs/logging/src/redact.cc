#include "oxydra/logging/redact.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace oxydra::logging {

namespace {

constexpr std::size_t kMinSecretBytes = 4;

struct Registry {
  std::mutex mutex;
  std::vector<std::string> secrets;  // longest first, so overlapping secrets redact fully
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void register_secret(std::string_view value) {
  if (value.size() < kMinSecretBytes) return;
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (std::find(r.secrets.begin(), r.secrets.end(), value) != r.secrets.end()) return;
  r.secrets.emplace_back(value);
  std::sort(r.secrets.begin(), r.secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string redact(std::string_view text) {
  std::string out(text);
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (const auto& secret : r.secrets) {
    std::size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return out;
}

std::string describe_secret(std::string_view value) {
  return "[redacted, " + std::to_string(value.size()) + " bytes]";
}

void clear_secrets() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.secrets.clear();
}

}  // namespace oxydra::logging
