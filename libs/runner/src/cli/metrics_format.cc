#include "cli/metrics_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

namespace oxydra::runner {

namespace {

using nlohmann::json;
using Labels = std::vector<std::pair<std::string, std::string>>;

// Label values may come from a guest (stop reasons, error codes): escaped as
// the format asks, and cut to a sane length.
std::string escape_label(std::string_view value) {
  constexpr std::size_t kMaxLabel = 128;
  std::string out;
  for (char c : value.substr(0, kMaxLabel)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[40];
  // The shortest text that reads back as the same double.
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

// Collects samples per family so that each family is written once, with its
// HELP and TYPE, whatever order the users bring them in.
class Exposition {
 public:
  void add(const std::string& name, const char* type, const char* help, Labels labels,
           double value) {
    auto& family = families_[name];
    family.type = type;
    family.help = help;
    family.samples.emplace_back(std::move(labels), value);
  }

  std::string text() const {
    std::string out;
    for (const auto& [name, family] : families_) {
      out += "# HELP " + name + " " + family.help + "\n";
      out += "# TYPE " + name + " " + family.type + "\n";
      for (const auto& [labels, value] : family.samples) {
        out += name;
        if (!labels.empty()) {
          out += "{";
          for (std::size_t i = 0; i < labels.size(); ++i) {
            out += (i ? "," : "") + labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
          }
          out += "}";
        }
        out += " " + number(value) + "\n";
      }
    }
    return out;
  }

 private:
  struct Family {
    std::string type;
    std::string help;
    std::vector<std::pair<Labels, double>> samples;
  };
  std::map<std::string, Family> families_;
};

void guest_metrics(Exposition& e, const std::string& user, const json& guests) {
  if (!guests.is_object()) return;
  for (const auto& [role, guest] : guests.items()) {
    const Labels labels{{"user", user}, {"role", role}};
    const json state = field_of(guest, "state");
    e.add("oxydra_guest_up", "gauge",
          "Whether the guest (role runtime: oxydra-vm, sidecar: shell-vm) runs.", labels,
          state.is_string() && state.get<std::string>() == "running" ? 1 : 0);
    if (const json restarts = field_of(guest, "restarts"); restarts.is_number()) {
      e.add("oxydra_guest_restarts_total", "counter",
            "Restarts of the guest by its runner since the runner started.", labels,
            restarts.get<double>());
    }
    if (const json memory = field_of(guest, "memory_bytes"); memory.is_number()) {
      e.add("oxydra_guest_memory_bytes", "gauge",
            "Memory the guest's cgroup uses (its process's RSS where it has none).", labels,
            memory.get<double>());
    }
    if (const json cpu = field_of(guest, "cpu_seconds"); cpu.is_number()) {
      e.add("oxydra_guest_cpu_seconds_total", "counter",
            "CPU time the guest used since it started.", labels, cpu.get<double>());
    }
  }
}

void count_map(Exposition& e, const std::string& name, const char* help, const std::string& user,
               const char* label, const json& counts) {
  if (!counts.is_object()) return;
  for (const auto& [key, count] : counts.items()) {
    if (count.is_number())
      e.add(name, "counter", help, {{"user", user}, {label, key}}, count.get<double>());
  }
}

void agent_metrics(Exposition& e, const std::string& user, const json& agent) {
  const json available = field_of(agent, "available");
  e.add("oxydra_agent_up", "gauge",
        "Whether oxydra-vm answered the runner's request for its counters.", {{"user", user}},
        available.is_boolean() && available.get<bool>() ? 1 : 0);
  const json counters = field_of(agent, "counters");
  if (!counters.is_object()) return;
  count_map(e, "oxydra_turns_total",
            "Turns the agent ran, by how they ended (since oxydra-vm started).", user,
            "stop_reason", field_of(counters, "turns"));
  count_map(e, "oxydra_provider_errors_total",
            "Model calls that failed, by error kind (since oxydra-vm started).", user, "kind",
            field_of(counters, "provider_errors"));
  const auto counter = [&](const std::string& name, const char* help, const char* key,
                           Labels labels) {
    if (const json value = field_of(counters, key); value.is_number()) {
      e.add(name, "counter", help, std::move(labels), value.get<double>());
    }
  };
  counter("oxydra_tokens_total", "Model tokens, by direction (since oxydra-vm started).",
          "input_tokens", {{"user", user}, {"direction", "input"}});
  counter("oxydra_tokens_total", "Model tokens, by direction (since oxydra-vm started).",
          "output_tokens", {{"user", user}, {"direction", "output"}});
  counter("oxydra_model_cost_total",
          "Cost of the model calls in the currency of the configured prices (0 without prices).",
          "cost", {{"user", user}});
  counter("oxydra_shell_commands_total", "Shell commands the model ran (since oxydra-vm started).",
          "shell_commands", {{"user", user}});
  counter("oxydra_shell_command_failures_total",
          "Shell commands that did not exit with status 0, timeouts included.",
          "shell_command_failures", {{"user", user}});
  counter("oxydra_shell_command_timeouts_total", "Shell commands stopped at their timeout.",
          "shell_command_timeouts", {{"user", user}});
}

}  // namespace

std::string format_metrics(const std::vector<UserSnapshot>& users) {
  Exposition e;
  e.add("oxydra_build_info", "gauge", "The runner's version.", {{"version", OXYDRA_VERSION}}, 1);
  std::size_t running = 0;
  for (const auto& user : users) {
    const bool up = user.health.is_object();
    running += up ? 1 : 0;
    const Labels labels{{"user", user.user_id}};
    e.add("oxydra_user_up", "gauge", "Whether the user's runner answered.", labels, up ? 1 : 0);
    if (!up) continue;
    const json healthy = field_of(user.health, "healthy");
    e.add("oxydra_user_healthy", "gauge",
          "Whether the runner runs and every guest of its tier runs.", labels,
          healthy.is_boolean() && healthy.get<bool>() ? 1 : 0);
    const json tier = field_of(user.health, "sandbox_tier");
    e.add("oxydra_user_info", "gauge", "The user's isolation tier.",
          {{"user", user.user_id}, {"tier", tier.is_string() ? tier.get<std::string>() : ""}}, 1);
    if (const json uptime = field_of(user.health, "uptime_secs"); uptime.is_number()) {
      e.add("oxydra_user_uptime_seconds", "gauge", "Seconds since the user's runner started.",
            labels, uptime.get<double>());
    }
    const json reasons = field_of(field_of(user.health, "startup_status"), "degraded_reasons");
    e.add("oxydra_user_degraded_reasons", "gauge",
          "Protections or tools not in force for the user (status shows which).", labels,
          reasons.is_array() ? static_cast<double>(reasons.size()) : 0);
    guest_metrics(e, user.user_id, field_of(user.health, "guests"));
    if (user.agent.is_object()) agent_metrics(e, user.user_id, user.agent);
  }
  e.add("oxydra_users", "gauge", "Users configured in runner.toml.", {},
        static_cast<double>(users.size()));
  e.add("oxydra_users_running", "gauge", "Users whose runner answered.", {},
        static_cast<double>(running));
  return e.text();
}

}  // namespace oxydra::runner
