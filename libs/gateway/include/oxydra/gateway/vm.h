#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace oxydra::gateway {

// How oxydra-vm was started (apps/oxydra-vm parses the flags into this).
struct VmOptions {
  // Exactly one bootstrap source, or none for direct development mode.
  std::optional<int> bootstrap_fd;
  std::string bootstrap_socket;
  bool bootstrap_stdin = false;
  std::chrono::milliseconds bootstrap_timeout{std::chrono::seconds(30)};
  // Direct mode only.
  std::string config_path;
  std::string workspace;  // empty: ./oxydra-workspace
};

// Exit statuses of run_vm.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // startup or serving failed
inline constexpr int kExitInvalid = 2;  // bad envelope, config or flags

// Reads the bootstrap envelope (or the direct-mode config), builds the agent
// and serves the gateway until SIGTERM/SIGINT. Failures are one line on
// stderr: "oxydra-vm: invalid bootstrap envelope: <field>: <reason>".
int run_vm(const VmOptions& options);

// Checks an audit log's hash chain: prints "ok: N lines" (exit 0), or the
// first broken line on stderr (exit 1).
int audit_verify(const std::string& path);

}  // namespace oxydra::gateway
