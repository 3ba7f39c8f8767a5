#include "oxydra/types/envelope.h"

#include "message_fields.h"

namespace oxydra {

using nlohmann::json;

namespace {

constexpr ErrorCode kCode = ErrorCode::invalid_envelope;

struct TransportName {
  ChannelTransport transport;
  std::string_view name;
};

constexpr TransportName kTransports[] = {
    {ChannelTransport::unix_socket, "unix"},
    {ChannelTransport::vsock, "vsock"},
    {ChannelTransport::firecracker_vsock, "firecracker_vsock"},
    {ChannelTransport::virtio_serial, "virtio_serial"},
};

json to_json(const ChannelEndpoint& endpoint) {
  return json{{"transport", to_string(endpoint.transport)}, {"address", endpoint.address}};
}

json to_json(const RuntimePolicy& policy) {
  json mounts = json::object();
  detail::put_optional(mounts, "shared", policy.mounts.shared);
  detail::put_optional(mounts, "tmp", policy.mounts.tmp);
  detail::put_optional(mounts, "vault", policy.mounts.vault);
  json resources = json::object();
  detail::put_optional(resources, "max_vcpus", policy.resources.max_vcpus);
  detail::put_optional(resources, "max_memory_mib", policy.resources.max_memory_mib);
  detail::put_optional(resources, "max_processes", policy.resources.max_processes);
  return json{{"mounts", std::move(mounts)},
              {"resources", std::move(resources)},
              {"credential_refs", policy.credential_refs}};
}

Result<ChannelEndpoint> parse_endpoint(const json& object, const std::string& path) {
  JsonReader reader(object, path, kCode);
  ChannelEndpoint endpoint;
  std::string transport = reader.string("transport");
  endpoint.address = reader.string("address");
  if (!reader.ok()) return reader.error();
  auto parsed = parse_channel_transport(transport);
  if (!parsed) {
    reader.problem("transport", "must be one of: unix, vsock, firecracker_vsock, virtio_serial");
    return reader.error();
  }
  endpoint.transport = *parsed;
  return endpoint;
}

Result<RuntimePolicy> parse_runtime_policy(const json& object) {
  JsonReader reader(object, "runtime_policy", kCode);
  RuntimePolicy policy;
  const json* mounts = reader.object("mounts", false);
  const json* resources = reader.object("resources", false);
  policy.credential_refs = reader.string_map("credential_refs");
  if (!reader.ok()) return reader.error();
  if (mounts) {
    JsonReader m(*mounts, reader.child_path("mounts"), kCode);
    policy.mounts.shared = m.optional_string("shared");
    policy.mounts.tmp = m.optional_string("tmp");
    policy.mounts.vault = m.optional_string("vault");
    if (!m.ok()) return m.error();
  }
  if (resources) {
    JsonReader r(*resources, reader.child_path("resources"), kCode);
    policy.resources.max_vcpus = r.optional_unsigned("max_vcpus");
    policy.resources.max_memory_mib = r.optional_unsigned("max_memory_mib");
    policy.resources.max_processes = r.optional_unsigned("max_processes");
    if (!r.ok()) return r.error();
  }
  return policy;
}

}  // namespace

std::string_view to_string(ChannelTransport transport) {
  for (const auto& entry : kTransports) {
    if (entry.transport == transport) return entry.name;
  }
  return "unknown";
}

std::optional<ChannelTransport> parse_channel_transport(std::string_view text) {
  for (const auto& entry : kTransports) {
    if (entry.name == text) return entry.transport;
  }
  return std::nullopt;
}

json to_json(const BootstrapEnvelope& envelope) {
  json out{
      {"protocol_version", envelope.protocol_version},
      {"user_id", envelope.user_id},
      {"sandbox_tier", to_string(envelope.sandbox_tier)},
      {"workspace_root", envelope.workspace_root},
      {"runtime_policy", to_json(envelope.runtime_policy)},
      {"credentials", envelope.credentials},
      {"agent_config", envelope.agent_config},
      {"gateway", to_json(envelope.gateway)},
      {"startup_status", to_json(envelope.startup_status)},
  };
  if (envelope.sidecar_endpoint) out["sidecar_endpoint"] = to_json(*envelope.sidecar_endpoint);
  if (envelope.egress_proxy) out["egress_proxy"] = to_json(*envelope.egress_proxy);
  return out;
}

json redacted_json(const BootstrapEnvelope& envelope) {
  BootstrapEnvelope copy = envelope;
  for (auto& [name, secret] : copy.credentials)
    secret = kRedacted;
  return to_json(copy);
}

Result<BootstrapEnvelope> parse_bootstrap_envelope(const json& object) {
  if (!object.is_object()) return fail(kCode, "envelope: must be a JSON object");
  JsonReader reader(object, "", kCode);
  BootstrapEnvelope envelope;
  auto version = reader.optional_integer("protocol_version");
  if (!version && reader.ok()) reader.problem("protocol_version", "is required");
  envelope.user_id = reader.string("user_id");
  std::string tier = reader.string("sandbox_tier");
  envelope.workspace_root = reader.string("workspace_root");
  const json* sidecar = reader.object("sidecar_endpoint", false);
  const json* policy = reader.object("runtime_policy", false);
  envelope.credentials = reader.string_map("credentials");
  const json* agent_config = reader.object("agent_config", true);
  const json* gateway = reader.object("gateway", true);
  const json* egress = reader.object("egress_proxy", false);
  const json* startup_status = reader.object("startup_status", true);
  if (!reader.ok()) return reader.error();

  if (*version != kBootstrapProtocolVersion) {
    reader.problem("protocol_version", "unsupported version " + std::to_string(*version) +
                                           " (expected " +
                                           std::to_string(kBootstrapProtocolVersion) + ")");
    return reader.error();
  }
  envelope.protocol_version = static_cast<int>(*version);
  auto parsed_tier = parse_sandbox_tier(tier);
  if (!parsed_tier) {
    reader.problem("sandbox_tier", "must be one of: micro_vm, container, process");
    return reader.error();
  }
  envelope.sandbox_tier = *parsed_tier;
  envelope.agent_config = *agent_config;

  if (sidecar) {
    auto endpoint = parse_endpoint(*sidecar, "sidecar_endpoint");
    if (!endpoint) return tl::unexpected(endpoint.error());
    envelope.sidecar_endpoint = std::move(*endpoint);
  }
  if (policy) {
    auto parsed = parse_runtime_policy(*policy);
    if (!parsed) return tl::unexpected(parsed.error());
    envelope.runtime_policy = std::move(*parsed);
  }
  auto gateway_endpoint = parse_endpoint(*gateway, "gateway");
  if (!gateway_endpoint) return tl::unexpected(gateway_endpoint.error());
  envelope.gateway = std::move(*gateway_endpoint);
  if (egress) {
    auto endpoint = parse_endpoint(*egress, "egress_proxy");
    if (!endpoint) return tl::unexpected(endpoint.error());
    envelope.egress_proxy = std::move(*endpoint);
  }
  auto status = parse_startup_status(*startup_status, "startup_status", kCode);
  if (!status) return tl::unexpected(status.error());
  envelope.startup_status = std::move(*status);

  auto valid = validate_bootstrap_envelope(envelope);
  if (!valid) return tl::unexpected(valid.error());
  return envelope;
}

}  // namespace oxydra
