#pragma once

#include <string>
#include <string_view>

#include "oxydra/types/startup_status.h"

namespace oxydra::sandbox {

// Whether a session can be used, and if not (or only in a degraded way) why.
// `code` is a degraded reason code of protocol.md §3 (oxydra::degraded::k*); it
// may be set while available, e.g. insecure_process_tier for the local session.
struct Availability {
  bool available = false;
  std::string code;
  std::string detail;

  static Availability ok() { return Availability{true, {}, {}}; }
  static Availability degraded(std::string_view code, std::string detail) {
    return Availability{true, std::string(code), std::move(detail)};
  }
  static Availability unavailable(ErrorCode code, std::string detail) {
    return unavailable(to_string(code), std::move(detail));
  }
  static Availability unavailable(std::string_view code, std::string detail) {
    return Availability{false, std::string(code), std::move(detail)};
  }

  // For startup_status.degraded_reasons; only meaningful when `code` is set.
  DegradedReason reason() const { return DegradedReason{code, detail}; }
};

}  // namespace oxydra::sandbox
