#include "oxydra/types/startup_status.h"

#include <algorithm>

#include "message_fields.h"

namespace oxydra {

using nlohmann::json;

namespace {

json report_or_null(const std::optional<EnforcementReport>& report) {
  return report ? to_json(*report) : json(nullptr);
}

Result<DegradedReason> parse_degraded_reason(const json& object, const std::string& path,
                                             ErrorCode code) {
  JsonReader reader(object, path, code);
  DegradedReason reason;
  reason.code = reader.nonblank("code");
  reason.detail = reader.string("detail");
  if (!reader.ok()) return reader.error();
  return reason;
}

Result<std::optional<EnforcementReport>> parse_guest_report(const json& parent, JsonReader& reader,
                                                            std::string_view key, ErrorCode code) {
  const json* object = detail::raw_field(parent, key);
  if (!object) return std::optional<EnforcementReport>();
  auto report = parse_enforcement_report(*object, reader.child_path(key), code);
  if (!report) return tl::unexpected(report.error());
  return std::optional<EnforcementReport>(std::move(*report));
}

}  // namespace

bool has_degraded_reason(const StartupStatusReport& status, std::string_view code) {
  return std::any_of(status.degraded_reasons.begin(), status.degraded_reasons.end(),
                     [&](const DegradedReason& r) { return r.code == code; });
}

json to_json(const DegradedReason& reason) {
  return json{{"code", reason.code}, {"detail", reason.detail}};
}

json to_json(const StartupStatusReport& status) {
  return json{
      {"sandbox_tier", to_string(status.sandbox_tier)},
      {"sidecar_available", status.sidecar_available},
      {"shell_available", status.shell_available},
      {"browser_available", status.browser_available},
      {"degraded_reasons",
       detail::list_to_json(status.degraded_reasons,
                            [](const DegradedReason& r) { return to_json(r); })},
      {"enforcement", json{{"runtime", report_or_null(status.enforcement.runtime)},
                           {"sidecar", report_or_null(status.enforcement.sidecar)}}},
  };
}

Result<StartupStatusReport> parse_startup_status(const json& object, const std::string& path,
                                                 ErrorCode error_code) {
  JsonReader reader(object, path, error_code);
  StartupStatusReport status;
  std::string tier = reader.string("sandbox_tier");
  status.sidecar_available = reader.boolean("sidecar_available", false);
  status.shell_available = reader.boolean("shell_available", false);
  status.browser_available = reader.boolean("browser_available", false);
  const json* enforcement = reader.object("enforcement", false);
  if (!reader.ok()) return reader.error();

  auto parsed_tier = parse_sandbox_tier(tier);
  if (!parsed_tier) {
    reader.problem("sandbox_tier", "must be one of: micro_vm, container, process");
    return reader.error();
  }
  status.sandbox_tier = *parsed_tier;

  auto reasons = detail::parse_list<DegradedReason>(
      reader, object, "degraded_reasons", [&](const json& item, const std::string& item_path) {
        return parse_degraded_reason(item, item_path, error_code);
      });
  if (!reasons) return tl::unexpected(reasons.error());
  status.degraded_reasons = std::move(*reasons);

  if (enforcement) {
    JsonReader enforcement_reader(*enforcement, reader.child_path("enforcement"), error_code);
    auto runtime = parse_guest_report(*enforcement, enforcement_reader, "runtime", error_code);
    if (!runtime) return tl::unexpected(runtime.error());
    auto sidecar = parse_guest_report(*enforcement, enforcement_reader, "sidecar", error_code);
    if (!sidecar) return tl::unexpected(sidecar.error());
    status.enforcement.runtime = std::move(*runtime);
    status.enforcement.sidecar = std::move(*sidecar);
  }
  return status;
}

}  // namespace oxydra
