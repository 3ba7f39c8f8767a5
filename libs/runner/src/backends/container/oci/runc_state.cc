#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "backends/container/oci/oci_runtime.h"

namespace oxydra::runner {

std::optional<OciRuntime::State> parse_runc_state(std::string_view json_text) {
  auto parsed = nlohmann::json::parse(json_text, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  OciRuntime::State state;
  // A field of the wrong type is as good as absent (fuzz/container_replies_fuzz.cc).
  if (auto it = parsed.find("status"); it != parsed.end() && it->is_string())
    state.status = it->get<std::string>();
  if (auto it = parsed.find("pid"); it != parsed.end() && it->is_number_integer()) {
    const auto pid = it->get<std::int64_t>();
    if (pid > 0 && pid <= std::numeric_limits<pid_t>::max()) state.pid = static_cast<pid_t>(pid);
  }
  return state;
}

}  // namespace oxydra::runner
