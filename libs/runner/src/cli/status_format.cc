#include "cli/status_format.h"

#include <sstream>

#include "cli/user_list.h"
#include "daemon/warning.h"
#include "oxydra/types/control_messages.h"

namespace oxydra::runner {

namespace {

using nlohmann::json;
constexpr int kLabelWidth = 14;

class Table {
 public:
  void row(const std::string& label, const std::string& value) {
    out_ << "  " << label
         << std::string(label.size() < kLabelWidth ? kLabelWidth - label.size() : 1, ' ') << value
         << "\n";
  }
  void more(const std::string& value) { row("", value); }
  std::string str() const { return out_.str(); }
  std::ostringstream& raw() { return out_; }

 private:
  std::ostringstream out_;
};

std::string join(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (item.is_string()) out += (out.empty() ? "" : ", ") + item.get<std::string>();
  }
  return out;
}

std::string yes_no(const json& value) {
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  return "unknown";
}

std::string text(const json& object, const char* key, const std::string& fallback = "unknown") {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

void enforcement(Table& t, const std::string& role, const json& report) {
  t.row("enforcement", role + ":");
  const std::string in = "  ";
  t.more(in + "no_new_privs   " + yes_no(report.value("no_new_privs", json())));
  if (const auto& s = report.value("seccomp", json()); s.is_object()) {
    t.more(in + "seccomp        " + text(s, "mode") +
           (s.contains("policy") && s["policy"].is_string() ? " (" + text(s, "policy") + ")" : ""));
  } else {
    t.more(in + "seccomp        unknown");
  }
  if (const auto& l = report.value("landlock", json()); l.is_object()) {
    t.more(in + "landlock       " + text(l, "status") + ", ABI " + text(l, "abi", "none"));
    if (auto fs = join(l.value("handled_access_fs", json())); !fs.empty())
      t.more(in + "  fs:     " + fs);
    if (auto net = join(l.value("handled_access_net", json())); !net.empty())
      t.more(in + "  net:    " + net);
    if (auto scoped = join(l.value("scoped", json())); !scoped.empty())
      t.more(in + "  scoped: " + scoped);
  }
  if (auto writable = join(report.value("writable_paths", json())); !writable.empty()) {
    t.more(in + "writable       " + writable);
  }
  if (const auto& caps = report.value("capabilities", json()); caps.is_array()) {
    t.more(in + "capabilities   " +
           (caps.empty() ? std::string("none") : std::to_string(caps.size()) + " held"));
  }
  if (const auto& c = report.value("cgroup", json()); c.is_object()) {
    t.more(in + "limits         memory " + text(c, "memory", "-") + " bytes, processes " +
           text(c, "pids", "-") + " (" + text(c, "source", "") + ")");
  }
  const auto& vmm = report.value("vmm", json());
  if (vmm.is_object()) {
    // A VM's isolation is its own kernel: host namespaces do not apply.
    t.more(in + "vm             " + text(vmm, "name") + " (" + text(vmm, "version", "?") + "), " +
           text(vmm, "accel") + ", guest kernel " + text(vmm, "guest_kernel", "unknown") + ", " +
           text(vmm, "vcpus", "?") + " vCPU, " + text(vmm, "memory_mib", "?") + " MiB, VMM RSS " +
           text(vmm, "vmm_rss_mib", "?") + " MiB");
    if (auto shares = join(vmm.value("shares", json())); !shares.empty())
      t.more(in + "  shares: " + shares);
    t.more(in + "root fs        " +
           (report.value("rootfs_read_only", json()).is_boolean()
                ? (report["rootfs_read_only"].get<bool>() ? std::string("read-only")
                                                          : std::string("writable"))
                : std::string("unknown")));
  } else if (const auto& ns = report.value("namespaces", json()); ns.is_object()) {
    std::string own;
    for (const auto& [kind, value] : ns.items()) {
      if (value.is_boolean() && value.get<bool>()) own += (own.empty() ? "" : ", ") + kind;
    }
    t.more(in + "namespaces     " + (own.empty() ? std::string("none of its own") : own));
  }
  t.more(in + "network        " + text(report, "network"));
  for (const auto& note : report.value("notes", json::array())) {
    if (note.is_string()) t.more(in + "note: " + note.get<std::string>());
  }
}

}  // namespace

std::string format_duration(std::uint64_t s) {
  char buffer[32];
  if (s >= 86400) {
    std::snprintf(buffer, sizeof buffer, "%llud %02lluh",
                  static_cast<unsigned long long>(s / 86400),
                  static_cast<unsigned long long>(s % 86400 / 3600));
  } else if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lluh %02llum", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s % 3600 / 60));
  } else if (s >= 60) {
    std::snprintf(buffer, sizeof buffer, "%llum %02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%llus", static_cast<unsigned long long>(s));
  }
  return buffer;
}

std::string format_status(const json& health) {
  Table t;
  const std::string tier = text(health, "sandbox_tier");
  const bool healthy = health.value("healthy", false);
  t.raw() << "user " << text(health, "user_id") << ": " << text(health, "phase", "running")
          << (healthy ? " (healthy)" : " (not healthy)") << "\n";
  if (tier == "process") t.raw() << "  " << kInsecureStatusLine << "\n";
  t.row("tier", tier);
  t.row("runner pid", text(health, "runner_pid"));
  const json guests = health.value("guests", json::object());
  for (const char* role : {"runtime", "sidecar"}) {
    std::string value;
    if (guests.contains(role)) {
      const json& g = guests[role];
      value = text(g, "state") + ", pid " + text(g, "pid", "-");
      if (g.value("restarts", 0) > 0) value += ", restarts " + text(g, "restarts");
      if (g.contains("memory_bytes") && g["memory_bytes"].is_number())
        value += ", " + format_bytes(g["memory_bytes"]);
      if (g.contains("last_exit") && g["last_exit"].is_string())
        value += ", last " + text(g, "last_exit");
    } else {
      value = (std::string(role) == "sidecar" && tier == "process")
                  ? "none (no shell-vm on this tier)"
                  : "not started";
    }
    t.row(role, value);
  }
  t.row("uptime", format_duration(health.value("uptime_secs", std::uint64_t{0})));
  if (const json usage = health.value("usage", json::object()); usage.is_object()) {
    const json cpu = usage.value("cpu_seconds", json());
    char seconds[32] = "-";
    if (cpu.is_number()) std::snprintf(seconds, sizeof seconds, "%.2f s", cpu.get<double>());
    t.row("usage", "memory " + format_bytes(usage.value("memory_bytes", json())) + ", CPU " +
                       seconds + " (the pair, as the host counts it)");
  }
  const json status = health.value("startup_status", json::object());
  const json tools = health.value("tools", json::object());
  for (const char* tool : {"shell", "browser"}) {
    const bool available = health.value(std::string(tool) + "_available", false);
    std::string reason;
    if (tools.contains(tool)) reason = text(tools[tool], "reason", "");
    t.row(tool, available ? "available" : "disabled" + (reason.empty() ? "" : " (" + reason + ")"));
  }
  bool first = true;
  for (const auto& reason : status.value("degraded_reasons", json::array())) {
    const std::string line = text(reason, "code") + ": " + text(reason, "detail", "");
    first ? t.row("degraded", line) : t.more(line);
    first = false;
  }
  if (first) t.row("degraded", "none");
  const json enforcement_reports = status.value("enforcement", json::object());
  for (const char* role : {"runtime", "sidecar"}) {
    if (enforcement_reports.contains(role) && enforcement_reports[role].is_object()) {
      enforcement(t, role, enforcement_reports[role]);
    }
  }
  t.row("gateway", text(health, "gateway_socket", "-"));
  t.row("logs", text(health, "log_dir", "-"));
  t.row("message", text(health, "message", ""));
  return t.str();
}

}  // namespace oxydra::runner
