#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace oxydra::harden_probe {

// The syscalls the process tier's seccomp filter must refuse. Each is first
// tried without the filter (the baseline, in the launcher) so that a refusal
// under the filter is only credited to the filter when the kernel would have
// run the call: a kernel without an `int 0x80` path, or one that already
// refuses the call (a sysctl, missing privilege), cannot show the filter
// working, and that case is then reported as not applicable.

// Runs `body` in a child and maps how it ended: 0 when it exited 0; -1 with
// errno EPERM when SIGSYS (the filter) killed it, ECHILD for another signal,
// and the exit status as errno otherwise.
long in_child(void (*body)());

// {"<case>": {"errno": E, "signal": S?}} for every case, run unfiltered with
// harmless arguments. `parent` is a process the ptrace case may attach to.
nlohmann::json kernel_baseline();

// Runs every case under the filter. `tmp` is a writable directory,
// `parent` the launcher's pid, `baseline` what kernel_baseline() measured.
// Each entry: {"name", "expect_errno", "errno", "pass"} or, when the kernel
// cannot show the case, {"name", "not_applicable": reason}.
nlohmann::json filtered_syscall_probes(const std::string& tmp, int parent,
                                       const nlohmann::json& baseline);

}  // namespace oxydra::harden_probe
