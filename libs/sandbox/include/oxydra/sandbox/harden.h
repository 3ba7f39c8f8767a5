#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/sandbox/landlock.h"
#include "oxydra/sandbox/landlock_policy.h"
#include "oxydra/sandbox/rlimits.h"
#include "oxydra/sandbox/seccomp.h"
#include "oxydra/types/envelope.h"
#include "oxydra/types/error.h"
#include "oxydra/types/workspace_layout.h"

namespace oxydra::sandbox {

// Hardening of a guest started as a plain child process (the process tier), in
// two halves around fork():
//   parent: prepare_hardening() does everything that allocates, opens files or
//           can fail with a useful message: the Landlock ruleset, the seccomp
//           BPF program, the rlimit values.
//   child:  apply_in_child() only makes system calls on what is ready, so it is
//           safe between fork and exec of a multi-threaded parent (no malloc, no
//           locks). It fails closed: on failure the child must not exec.
// The parent keeps the plan alive until fork returns, then may drop it.
//
//   auto plan = prepare_hardening(process_tier_spec(layout, exe, ports, resources));
//   pid_t pid = fork();                       // status pipe made with O_CLOEXEC
//   child:  auto o = apply_in_child(*plan); send_outcome(status_w, o);
//           if (!o.ok()) _exit(126); execve(...);
//   parent: auto o = receive_outcome(status_r);
//           auto e = enforcement_report(*plan, *o, measure_process(pid));  // harden_report.h

struct HardeningSpec {
  LandlockPolicy landlock;
  std::optional<std::uint64_t> max_memory_mib;
  std::optional<std::uint64_t> max_processes;
};

// The process tier's spec for one user: the system paths, the user's workspace,
// the guest `executable` (read and execute), TCP connect only to
// `provider_ports`, and the user's resources.
HardeningSpec process_tier_spec(const WorkspaceLayout& workspace, std::string_view executable,
                                std::vector<std::uint16_t> provider_ports,
                                const PolicyResources& resources);

struct HardeningPlan {
  RlimitPlan rlimits;
  LandlockPlan landlock;
  SeccompPlan seccomp;
};

// Parent side, before fork. Landlock missing from the kernel is not an error
// (the plan records it and the report degrades); a bad path or rule is.
Result<HardeningPlan> prepare_hardening(const HardeningSpec& spec);

enum class HardeningStep : std::uint8_t { none, rlimits, no_new_privs, landlock, seccomp };
std::string_view to_string(HardeningStep step);

// What the child applied. Plain data: the child writes it to a pipe before exec.
struct ApplyOutcome {
  HardeningStep failed_step = HardeningStep::none;
  int error = 0;             // errno of the failed step
  int rlimit_resource = -1;  // the resource that failed, when failed_step is rlimits
  bool rlimits = false;
  bool no_new_privs = false;
  bool landlock = false;  // restricted; false too when the kernel has no Landlock
  bool seccomp = false;
  bool ok() const { return failed_step == HardeningStep::none; }
};

// Child side, between fork and exec: rlimits, no_new_privs, Landlock, seccomp.
// Stops at the first failure.
ApplyOutcome apply_in_child(const HardeningPlan& plan) noexcept;

// "landlock_restrict_self: Operation not permitted"; empty when ok.
std::string describe(const ApplyOutcome& outcome);

// Child: one write(2) of the outcome (async-signal-safe).
bool send_outcome(int fd, const ApplyOutcome& outcome) noexcept;
// Parent: reads it back; an error when the child ended or exec'd without one.
Result<ApplyOutcome> receive_outcome(int fd);

}  // namespace oxydra::sandbox
