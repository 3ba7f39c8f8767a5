#include "oxydra/provider/retry.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace oxydra::provider {

bool is_retryable_status(long http_status) {
  return http_status == 429 || (http_status >= 500 && http_status <= 599);
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int next_attempt,
                                      std::optional<std::chrono::milliseconds> retry_after,
                                      double unit_random) {
  if (retry_after && *retry_after >= std::chrono::milliseconds(0) &&
      *retry_after <= kMaxHonouredRetryAfter)
    return *retry_after;
  const int doublings = std::clamp(next_attempt - 2, 0, 30);
  const double ceiling =
      std::min(static_cast<double>(policy.max_delay.count()),
               static_cast<double>(policy.base_delay.count()) * std::ldexp(1.0, doublings));
  const double jittered = std::clamp(unit_random, 0.0, 1.0) * std::max(ceiling, 0.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(jittered));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' ||
                            value.back() == '\n'))
    value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  double seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || !(seconds >= 0) ||
      seconds > 86400.0 * 365)
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000.0)));
}

}  // namespace oxydra::provider
