#pragma once

#include <nlohmann/json.hpp>

namespace oxydra::testing {

inline constexpr const char* kSecret = "sk-live-7f3a9c1e5b2d4f6a8c0e";

// A complete, valid container-tier envelope carrying kSecret.
inline nlohmann::json valid_envelope() {
  using nlohmann::json;
  json j = json::parse(R"({
    "protocol_version": 1,
    "user_id": "alice",
    "sandbox_tier": "container",
    "workspace_root": "/workspace",
    "sidecar_endpoint": {"transport": "unix", "address": "/workspace/ipc/shell.sock"},
    "runtime_policy": {
      "mounts": {"shared": "/srv/alice/shared", "tmp": "/srv/alice/tmp", "vault": "/srv/alice/vault"},
      "resources": {"max_vcpus": 2, "max_memory_mib": 1024, "max_processes": 256},
      "credential_refs": {"openai": "env:OPENAI_API_KEY"}
    },
    "credentials": {},
    "agent_config": {"provider": {"name": "openai"}, "runtime": {"max_turns": 8}},
    "gateway": {"transport": "unix", "address": "/workspace/ipc/gateway.sock"},
    "startup_status": {
      "sandbox_tier": "container",
      "sidecar_available": true, "shell_available": true, "browser_available": false,
      "degraded_reasons": [],
      "enforcement": {"runtime": {"no_new_privs": true}, "sidecar": {"network": "none"}}
    }
  })");
  j["credentials"]["openai"] = kSecret;
  return j;
}

}  // namespace oxydra::testing
