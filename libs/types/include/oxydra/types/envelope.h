#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"
#include "oxydra/types/sandbox_tier.h"
#include "oxydra/types/startup_status.h"

namespace oxydra {

// The bootstrap envelope (protocol.md §3): everything oxydra-vm needs, sent once
// by the runner at guest start. It carries the user's resolved secrets.

inline constexpr int kBootstrapProtocolVersion = 1;
inline constexpr std::string_view kRedacted = "[redacted]";

enum class ChannelTransport { unix_socket, vsock, firecracker_vsock, virtio_serial };

// "unix", "vsock", "firecracker_vsock", "virtio_serial".
std::string_view to_string(ChannelTransport transport);
std::optional<ChannelTransport> parse_channel_transport(std::string_view text);

struct ChannelEndpoint {
  ChannelTransport transport = ChannelTransport::unix_socket;
  std::string address;  // a path for unix; "CID:PORT" for vsock; a path/port name otherwise
  bool operator==(const ChannelEndpoint&) const = default;
};

// Host paths of the user's data directories; absent means the default layout.
struct PolicyMounts {
  std::optional<std::string> shared;
  std::optional<std::string> tmp;
  std::optional<std::string> vault;
  bool operator==(const PolicyMounts&) const = default;
};

// Absent means no explicit limit; zero is rejected.
struct PolicyResources {
  std::optional<std::uint64_t> max_vcpus;
  std::optional<std::uint64_t> max_memory_mib;
  std::optional<std::uint64_t> max_processes;
  bool operator==(const PolicyResources&) const = default;
};

struct RuntimePolicy {
  PolicyMounts mounts;
  PolicyResources resources;
  std::map<std::string, std::string> credential_refs;  // name -> "env:NAME" | "file:PATH"
  bool operator==(const RuntimePolicy&) const = default;
};

struct BootstrapEnvelope {
  int protocol_version = kBootstrapProtocolVersion;
  std::string user_id;
  SandboxTier sandbox_tier = SandboxTier::process;
  std::string workspace_root;  // the user's workspace directory as the guest sees it
  std::optional<ChannelEndpoint> sidecar_endpoint;
  RuntimePolicy runtime_policy;
  std::map<std::string, std::string> credentials;  // name -> secret: never log
  nlohmann::json agent_config = nlohmann::json::object();
  ChannelEndpoint gateway;
  // Optional: the runner's egress proxy (SOCKS5 on a Unix socket). When set,
  // the guest has no network of its own and reaches its provider only here.
  std::optional<ChannelEndpoint> egress_proxy;
  StartupStatusReport startup_status;
  bool operator==(const BootstrapEnvelope&) const = default;
};

// Parses and validates every rule of protocol.md §3. Errors: code
// "invalid_envelope", one line naming the field; never a credential value.
Result<BootstrapEnvelope> parse_bootstrap_envelope(const nlohmann::json& object);

// Checks the rules of §3 on an envelope built in code (the runner, before sending).
Result<void> validate_bootstrap_envelope(const BootstrapEnvelope& envelope);

// The wire form, secrets included: only for the bootstrap channel.
nlohmann::json to_json(const BootstrapEnvelope& envelope);

// The wire form with every credential value replaced by "[redacted]": for logs.
nlohmann::json redacted_json(const BootstrapEnvelope& envelope);

}  // namespace oxydra
