#include "oxydra/types/enforcement_report.h"

#include "message_fields.h"

namespace oxydra {

using detail::or_null;
using nlohmann::json;

namespace {

json to_json(const NamespaceSet& ns) {
  return json{{"user", or_null(ns.user)},    {"mount", or_null(ns.mount)}, {"pid", or_null(ns.pid)},
              {"net", or_null(ns.net)},      {"ipc", or_null(ns.ipc)},     {"uts", or_null(ns.uts)},
              {"cgroup", or_null(ns.cgroup)}};
}

json to_json(const SeccompState& s) {
  return json{{"mode", s.mode}, {"policy", or_null(s.policy)}};
}

json to_json(const LandlockState& l) {
  return json{{"abi", or_null(l.abi)},
              {"handled_access_fs", l.handled_access_fs},
              {"handled_access_net", l.handled_access_net},
              {"scoped", l.scoped},
              {"status", l.status}};
}

json to_json(const CgroupLimits& c) {
  return json{{"cpu", or_null(c.cpu)},
              {"memory", or_null(c.memory)},
              {"pids", or_null(c.pids)},
              {"source", c.source}};
}

json to_json(const VmmInfo& v) {
  json out{{"name", v.name}, {"accel", v.accel}};
  if (v.version) out["version"] = *v.version;
  if (v.accel_reason) out["accel_reason"] = *v.accel_reason;
  if (v.guest_kernel) out["guest_kernel"] = *v.guest_kernel;
  if (v.vcpus) out["vcpus"] = *v.vcpus;
  if (v.memory_mib) out["memory_mib"] = *v.memory_mib;
  if (v.vmm_rss_mib) out["vmm_rss_mib"] = *v.vmm_rss_mib;
  if (!v.devices.empty()) out["devices"] = v.devices;
  if (!v.shares.empty()) out["shares"] = v.shares;
  return out;
}

template <typename T>
json nested_or_null(const std::optional<T>& value) {
  return value ? to_json(*value) : json(nullptr);
}

NamespaceSet read_namespaces(JsonReader& reader) {
  NamespaceSet ns;
  ns.user = reader.optional_boolean("user");
  ns.mount = reader.optional_boolean("mount");
  ns.pid = reader.optional_boolean("pid");
  ns.net = reader.optional_boolean("net");
  ns.ipc = reader.optional_boolean("ipc");
  ns.uts = reader.optional_boolean("uts");
  ns.cgroup = reader.optional_boolean("cgroup");
  return ns;
}

SeccompState read_seccomp(JsonReader& reader) {
  SeccompState s;
  s.mode = detail::one_of(reader, "mode", {kSeccompDisabled, kSeccompStrict, kSeccompFilter});
  s.policy = reader.optional_string("policy");
  return s;
}

LandlockState read_landlock(JsonReader& reader) {
  LandlockState l;
  l.abi = detail::optional_int(reader, "abi");
  l.handled_access_fs = reader.string_list("handled_access_fs");
  l.handled_access_net = reader.string_list("handled_access_net");
  l.scoped = reader.string_list("scoped");
  l.status = detail::one_of(reader, "status",
                            {kLandlockFullyEnforced, kLandlockPartiallyEnforced,
                             kLandlockNotEnforced, kLandlockUnsupported});
  return l;
}

CgroupLimits read_cgroup(JsonReader& reader) {
  CgroupLimits c;
  c.cpu = reader.optional_number("cpu");
  if (c.cpu && *c.cpu <= 0) reader.problem("cpu", "must be positive");
  c.memory = reader.optional_unsigned("memory");
  c.pids = reader.optional_unsigned("pids");
  c.source = reader.string("source");
  return c;
}

VmmInfo read_vmm(JsonReader& reader) {
  VmmInfo v;
  v.name = reader.nonblank("name");
  v.accel = reader.nonblank("accel");
  v.version = reader.optional_string("version");
  v.accel_reason = reader.optional_string("accel_reason");
  v.guest_kernel = reader.optional_string("guest_kernel");
  if (auto vcpus = reader.optional_integer("vcpus")) v.vcpus = static_cast<int>(*vcpus);
  v.memory_mib = reader.optional_unsigned("memory_mib");
  v.vmm_rss_mib = reader.optional_unsigned("vmm_rss_mib");
  v.devices = reader.string_list("devices");
  v.shares = reader.string_list("shares");
  return v;
}

// Reads an optional nested object with `read`; a problem inside is returned as
// the first error.
template <typename T, typename Read>
std::optional<T> read_nested(JsonReader& parent, std::string_view key, ErrorCode code,
                             std::optional<Error>& error, Read&& read) {
  const json* object = parent.object(key, false);
  if (!object || error) return std::nullopt;
  JsonReader child(*object, parent.child_path(key), code);
  T value = read(child);
  if (!child.ok()) {
    error = child.first_error();
    return std::nullopt;
  }
  return value;
}

std::optional<std::vector<std::string>> optional_list(JsonReader& reader, const json& object,
                                                      std::string_view key) {
  if (!detail::raw_field(object, key)) return std::nullopt;
  return reader.string_list(key);
}

}  // namespace

json to_json(const EnforcementReport& report) {
  return json{{"namespaces", to_json(report.namespaces)},
              {"rootfs_read_only", or_null(report.rootfs_read_only)},
              {"writable_paths", or_null(report.writable_paths)},
              {"capabilities", or_null(report.capabilities)},
              {"capabilities_mask", or_null(report.capabilities_mask)},
              {"no_new_privs", or_null(report.no_new_privs)},
              {"seccomp", nested_or_null(report.seccomp)},
              {"landlock", nested_or_null(report.landlock)},
              {"cgroup", nested_or_null(report.cgroup)},
              {"network", or_null(report.network)},
              {"vmm", nested_or_null(report.vmm)},
              {"notes", report.notes}};
}

Result<EnforcementReport> parse_enforcement_report(const json& object, const std::string& path,
                                                   ErrorCode error_code) {
  JsonReader reader(object, path, error_code);
  EnforcementReport report;
  std::optional<Error> nested_error;
  report.rootfs_read_only = reader.optional_boolean("rootfs_read_only");
  report.writable_paths = optional_list(reader, object, "writable_paths");
  report.capabilities = optional_list(reader, object, "capabilities");
  report.capabilities_mask = reader.optional_string("capabilities_mask");
  report.no_new_privs = reader.optional_boolean("no_new_privs");
  report.network = detail::optional_one_of(
      reader, "network", {kNetworkNone, kNetworkLoopback, kNetworkEgress, kNetworkEgressProxy});
  report.notes = reader.string_list("notes");
  if (!reader.ok()) return reader.error();

  auto namespaces =
      read_nested<NamespaceSet>(reader, "namespaces", error_code, nested_error, read_namespaces);
  if (namespaces) report.namespaces = *namespaces;
  report.seccomp =
      read_nested<SeccompState>(reader, "seccomp", error_code, nested_error, read_seccomp);
  report.landlock =
      read_nested<LandlockState>(reader, "landlock", error_code, nested_error, read_landlock);
  report.cgroup =
      read_nested<CgroupLimits>(reader, "cgroup", error_code, nested_error, read_cgroup);
  report.vmm = read_nested<VmmInfo>(reader, "vmm", error_code, nested_error, read_vmm);
  if (!reader.ok()) return reader.error();
  if (nested_error) return tl::unexpected(*nested_error);
  return report;
}

}  // namespace oxydra
