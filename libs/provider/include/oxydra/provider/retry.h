#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "oxydra/provider/settings.h"

namespace oxydra::provider {

// Whether a failed attempt may be repeated. Output already handed to the
// caller is never repeated, whatever the cause.
bool is_retryable_status(long http_status);

// The pause before attempt `next_attempt` (2 for the first retry). A server's
// Retry-After up to `kMaxHonouredRetryAfter` is honoured as given; otherwise
// exponential backoff with full jitter: uniform(0, min(max, base * 2^(n-2))).
// `unit_random` is a draw from [0, 1).
inline constexpr std::chrono::milliseconds kMaxHonouredRetryAfter{60'000};
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int next_attempt,
                                      std::optional<std::chrono::milliseconds> retry_after,
                                      double unit_random);

// Parses a Retry-After value in delta-seconds ("2", also "1.5"); HTTP dates
// are not honoured (nullopt).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace oxydra::provider
