#include "cli/user_list.h"

#include <algorithm>
#include <cstdio>

#include "cli/status_format.h"

namespace oxydra::runner {

namespace {

using nlohmann::json;

std::string word(const json& value, const std::string& fallback = "-") {
  return value.is_string() ? value.get<std::string>() : fallback;
}

std::vector<std::string> degraded_codes(const json& health) {
  std::vector<std::string> out;
  const json reasons = field_of(field_of(health, "startup_status"), "degraded_reasons");
  if (!reasons.is_array()) return out;
  for (const auto& reason : reasons) {
    const json code = field_of(reason, "code");
    if (code.is_string()) out.push_back(code.get<std::string>());
  }
  return out;
}

std::string format_cpu(const json& seconds) {
  if (!seconds.is_number()) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f s", seconds.get<double>());
  return buffer;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

std::string format_bytes(const json& bytes) {
  if (!bytes.is_number() || bytes.get<double>() < 0) return "-";
  const double value = bytes.get<double>();
  char buffer[32];
  if (value >= 1024.0 * 1024 * 1024) {
    std::snprintf(buffer, sizeof buffer, "%.1f GiB", value / (1024.0 * 1024 * 1024));
  } else if (value >= 1024.0 * 1024) {
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", value / (1024.0 * 1024));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f KiB", value / 1024.0);
  }
  return buffer;
}

json user_list_json(const std::vector<UserSnapshot>& users) {
  json out = json::array();
  for (const auto& user : users) {
    const json& health = user.health;
    const json usage = field_of(health, "usage");
    json guests = json::object();
    if (const json all = field_of(health, "guests"); all.is_object()) {
      for (const auto& [role, guest] : all.items()) {
        guests[role] = {{"state", field_of(guest, "state")},
                        {"restarts", field_of(guest, "restarts")},
                        {"memory_bytes", field_of(guest, "memory_bytes")},
                        {"cpu_seconds", field_of(guest, "cpu_seconds")}};
      }
    }
    out.push_back({{"user", user.user_id},
                   {"state", user.state},
                   {"tier", field_of(health, "sandbox_tier")},
                   {"healthy", field_of(health, "healthy")},
                   {"uptime_secs", field_of(health, "uptime_secs")},
                   {"runner_pid", field_of(health, "runner_pid")},
                   {"memory_bytes", field_of(usage, "memory_bytes")},
                   {"cpu_seconds", field_of(usage, "cpu_seconds")},
                   {"degraded", degraded_codes(health)},
                   {"guests", guests},
                   {"error", user.error.empty() ? json(nullptr) : json(user.error)}});
  }
  return out;
}

std::string format_user_list(const std::vector<UserSnapshot>& users) {
  const std::vector<std::string> header{"USER",   "STATE", "TIER",    "UPTIME",
                                        "MEMORY", "CPU",   "DEGRADED"};
  std::vector<std::vector<std::string>> rows{header};
  for (const auto& row : user_list_json(users)) {
    const std::string degraded = join(row["degraded"].get<std::vector<std::string>>());
    const json uptime = row["uptime_secs"];
    rows.push_back({row["user"].get<std::string>(), row["state"].get<std::string>(),
                    word(row["tier"]),
                    uptime.is_number() && uptime.get<double>() >= 0
                        ? format_duration(static_cast<std::uint64_t>(uptime.get<double>()))
                        : std::string("-"),
                    format_bytes(row["memory_bytes"]), format_cpu(row["cpu_seconds"]),
                    degraded.empty() ? std::string("-") : degraded});
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  for (const auto& user : users) {
    if (!user.error.empty()) out += user.user_id + ": " + user.error + "\n";
  }
  return out;
}

}  // namespace oxydra::runner
