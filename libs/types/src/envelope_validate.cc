// The semantic rules of the bootstrap envelope (protocol.md §3). Messages name
// fields and credential names only: a credential value must never reach an
// error, because errors are printed and logged.

#include <algorithm>
#include <cctype>

#include "oxydra/types/envelope.h"
#include "oxydra/types/user_id.h"

namespace oxydra {

namespace {

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

tl::unexpected<Error> invalid(std::string_view field, std::string_view what) {
  return fail(ErrorCode::invalid_envelope, std::string(field) + ": " + std::string(what));
}

Result<void> check_mount(std::string_view name, const std::optional<std::string>& path) {
  if (path && is_blank(*path)) {
    return invalid("runtime_policy.mounts." + std::string(name), "must not be blank");
  }
  return {};
}

Result<void> check_limit(std::string_view name, const std::optional<std::uint64_t>& limit) {
  if (limit && *limit == 0) {
    return invalid("runtime_policy.resources." + std::string(name), "must be greater than zero");
  }
  return {};
}

Result<void> check_named(std::string_view field, const std::map<std::string, std::string>& map) {
  for (const auto& [name, value] : map) {
    if (is_blank(name)) return invalid(field, "names must not be blank");
    if (is_blank(value)) return invalid(std::string(field) + "." + name, "must not be blank");
  }
  return {};
}

Result<void> check_policy(const RuntimePolicy& policy) {
  const auto& m = policy.mounts;
  const auto& r = policy.resources;
  for (auto check :
       {check_mount("shared", m.shared), check_mount("tmp", m.tmp), check_mount("vault", m.vault),
        check_limit("max_vcpus", r.max_vcpus), check_limit("max_memory_mib", r.max_memory_mib),
        check_limit("max_processes", r.max_processes),
        check_named("runtime_policy.credential_refs", policy.credential_refs)}) {
    if (!check) return check;
  }
  return {};
}

Result<void> check_startup_status(const BootstrapEnvelope& envelope) {
  const auto& status = envelope.startup_status;
  if (status.sandbox_tier != envelope.sandbox_tier) {
    return invalid("startup_status.sandbox_tier",
                   std::string(to_string(status.sandbox_tier)) + " differs from sandbox_tier " +
                       std::string(to_string(envelope.sandbox_tier)));
  }
  const std::pair<const char*, bool> available[] = {
      {"sidecar_available", status.sidecar_available},
      {"shell_available", status.shell_available},
      {"browser_available", status.browser_available},
  };
  for (const auto& [name, value] : available) {
    if (value && !envelope.sidecar_endpoint) {
      return invalid(std::string("startup_status.") + name, "true without a sidecar_endpoint");
    }
  }
  if (!status.sidecar_available) {
    if (status.shell_available) {
      return invalid("startup_status.shell_available", "true while sidecar_available is false");
    }
    if (status.browser_available) {
      return invalid("startup_status.browser_available", "true while sidecar_available is false");
    }
  }
  for (std::size_t i = 0; i < status.degraded_reasons.size(); ++i) {
    if (is_blank(status.degraded_reasons[i].code)) {
      return invalid("startup_status.degraded_reasons[" + std::to_string(i) + "].code",
                     "must not be blank");
    }
  }
  return {};
}

}  // namespace

Result<void> validate_bootstrap_envelope(const BootstrapEnvelope& envelope) {
  if (envelope.protocol_version != kBootstrapProtocolVersion) {
    return invalid("protocol_version",
                   "unsupported version " + std::to_string(envelope.protocol_version) +
                       " (expected " + std::to_string(kBootstrapProtocolVersion) + ")");
  }
  if (is_blank(envelope.user_id)) return invalid("user_id", "must not be blank");
  if (auto id = validate_user_id(envelope.user_id); !id) {
    return invalid("user_id", id.error().message);
  }
  if (is_blank(envelope.workspace_root)) return invalid("workspace_root", "must not be blank");
  if (envelope.sidecar_endpoint && is_blank(envelope.sidecar_endpoint->address)) {
    return invalid("sidecar_endpoint.address", "must not be blank");
  }
  if (is_blank(envelope.gateway.address)) return invalid("gateway.address", "must not be blank");
  if (envelope.egress_proxy && (envelope.egress_proxy->transport != ChannelTransport::unix_socket ||
                                is_blank(envelope.egress_proxy->address))) {
    return invalid("egress_proxy", "must be a unix socket with a non-blank address");
  }
  if (auto policy = check_policy(envelope.runtime_policy); !policy) return policy;
  if (auto credentials = check_named("credentials", envelope.credentials); !credentials) {
    return credentials;
  }
  if (!envelope.agent_config.is_object()) return invalid("agent_config", "must be an object");
  return check_startup_status(envelope);
}

}  // namespace oxydra
