#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// Log timestamps are RFC 3339 UTC with microseconds, fixed width
// ("2025-01-31T09:15:02.123456Z"), so comparing the strings compares the times.
std::string format_timestamp(std::chrono::system_clock::time_point time);

// A `since` bound in that form, from RFC 3339 ("2025-01-31T09:15:02Z",
// "...02.5+01:00") or a duration back from `now` ("30s", "10m", "2h", "1d").
// Error code "invalid_request".
Result<std::string> normalize_since(std::string_view text,
                                    std::chrono::system_clock::time_point now);

}  // namespace oxydra::runner
