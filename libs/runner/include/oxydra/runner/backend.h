#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/agent_config.h"
#include "oxydra/types/envelope.h"
#include "oxydra/types/error.h"
#include "oxydra/types/runner_config.h"
#include "oxydra/types/startup_status.h"
#include "oxydra/types/user_policy.h"

namespace oxydra::runner {

// The seam between the tier-independent runner (lock, supervision, logs,
// control socket) and one isolation tier. One implementation per tier
// (process_backend.cc, container_backend.cc, micro_vm_backend.cc), chosen in
// make_backend(). A backend starts and stops guests; it does not wait for
// them to become ready (the runner probes their sockets) nor decide restarts
// (the supervisor does).

enum class GuestRole { runtime, sidecar };  // oxydra-vm, shell-vm
std::string_view to_string(GuestRole role);

enum class GuestStream { stdout_stream, stderr_stream };

// Receives a guest's output: the backend hands over the read end of each pipe
// (for a container, the OCI runtime's or the engine's output stream).
class GuestOutput {
 public:
  virtual ~GuestOutput() = default;
  virtual void attach(GuestRole role, GuestStream stream, sys::UniqueFd read_end) = 0;
};

// One guest as its backend started it.
struct GuestHandle {
  GuestRole role = GuestRole::runtime;
  // A host process that lives exactly as long as the guest and is the runner's
  // child (oxydra-vm itself; an oci container's init, reparented to the
  // runner as its subreaper): the supervisor reaps
  // it and learns of the guest's exit from it.
  std::optional<pid_t> pid;
  // The backend's name for a guest without such a process (container id, VM
  // name); the supervisor then polls Backend::poll_exit.
  std::optional<std::string> guest_id;
  // A host process whose cgroup is the guest's (its init; for a VM, its VMM),
  // from which status and metrics read the guest's memory and CPU.
  std::optional<pid_t> usage_pid;
  std::optional<EnforcementReport> enforcement;  // measured, not planned
  std::vector<DegradedReason> degraded;          // protections not in force
  std::string describe;                          // "oxydra-vm pid 123", for messages
};

// How a guest ended.
struct GuestExit {
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string describe() const;  // "exited with status 1", "killed by signal 9"
};

// The shell-vm as started, and where its daemon listens: `endpoint` as
// oxydra-vm will reach it (for the envelope), `host_endpoint` as the host
// reaches it (the runner probes it with `hello` until it answers, and the
// operator's `exec` connects to it). The readiness probe speaks unix only.
struct SidecarStart {
  GuestHandle guest;
  ChannelEndpoint endpoint;
  ChannelEndpoint host_endpoint;
};

// Everything a backend needs for one user, fixed for the runner's lifetime.
// A backend keeps a copy; the objects referenced must outlive it.
struct BackendContext {
  const RunnerConfig& runner;
  const UserPolicy& policy;
  const AgentConfig& agent;
  GuestOutput& output;
};

// Builds the bootstrap envelope once the runtime guest's enforcement has been
// measured (the envelope's startup_status carries it). Its paths
// (workspace_root, mounts, gateway.address) are the host's; a backend whose
// guest sees other paths rewrites them to the guest's view before sending.
// The gateway socket must stay reachable from the host at <ipc>/gateway.sock.
using EnvelopeFactory = std::function<Result<BootstrapEnvelope>(const GuestHandle& runtime)>;

class Backend {
 public:
  virtual ~Backend() = default;

  virtual SandboxTier tier() const = 0;
  // Whether this tier runs a shell-vm at all (the process tier does not).
  virtual bool has_sidecar() const = 0;
  // Why the tier has no shell or browser (degraded reasons for the envelope),
  // independent of any one guest: insecure_process_tier on the process tier.
  virtual std::vector<DegradedReason> tier_degraded() const = 0;
  // The host uid this backend hands the user's data directories to, when it
  // is not the default guest_host_uid(user) (the docker driver: whatever the
  // daemon maps guest uid 1000 to). Provisioning accepts it as their owner.
  virtual std::optional<uid_t> data_owner() const { return std::nullopt; }
  // The uid that connects to the egress proxy, when it is not the guest's
  // (the micro_vm tier: the runner's end of the VM link, on the guest's behalf).
  virtual std::optional<uid_t> egress_peer() const { return std::nullopt; }

  // Removes what a crashed run left behind (stale sockets, containers named
  // after the user). Called with the user's lock held, before any start.
  virtual Result<void> clean_stale() = 0;
  // Asks for oxydra-vm's guest to be launched along with shell-vm's (in
  // start_sidecar), so that it boots while shell-vm starts; its envelope
  // waits for start_runtime, as it carries the shell's status. A backend
  // without the means starts everything in start_runtime. clean_stale() ends
  // a guest launched and never used.
  virtual Result<void> begin_runtime() { return {}; }
  // Starts shell-vm. Only called when has_sidecar().
  virtual Result<SidecarStart> start_sidecar() = 0;
  // Starts oxydra-vm (or takes the one begin_runtime started) and delivers
  // the envelope `make_envelope` builds.
  virtual Result<GuestHandle> start_runtime(const EnvelopeFactory& make_envelope) = 0;
  // TERM, up to `grace`, then KILL, and reaps the guest's host process. Only
  // for a guest the supervisor has not yet seen exit.
  virtual void stop(const GuestHandle& guest, std::chrono::milliseconds grace) = 0;
  // For a guest without a pid: its exit once it has ended, else nullopt.
  virtual std::optional<GuestExit> poll_exit(const GuestHandle& guest) = 0;
};

// The one switch over tiers. A tier this build cannot run yet is an error
// with code "tier_unavailable".
Result<std::unique_ptr<Backend>> make_backend(SandboxTier tier, const BackendContext& context);

}  // namespace oxydra::runner
