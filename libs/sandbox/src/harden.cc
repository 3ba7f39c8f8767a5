#include "oxydra/sandbox/harden.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harden_error.h"
#include "oxydra/sys/io.h"

namespace oxydra::sandbox {

namespace {

ApplyOutcome failed(ApplyOutcome outcome, HardeningStep step, int err) {
  outcome.failed_step = step;
  outcome.error = err;
  return outcome;
}

}  // namespace

HardeningSpec process_tier_spec(const WorkspaceLayout& workspace, std::string_view executable,
                                std::vector<std::uint16_t> provider_ports,
                                const PolicyResources& resources) {
  HardeningSpec spec;
  spec.landlock.paths = system_path_rules();
  for (auto& rule : workspace_path_rules(workspace))
    spec.landlock.paths.push_back(std::move(rule));
  spec.landlock.paths.push_back(PathRule{std::string(executable), PathAccess::read_exec, true});
  spec.landlock.tcp_connect_ports = std::move(provider_ports);
  spec.max_memory_mib = resources.max_memory_mib;
  spec.max_processes = resources.max_processes;
  return spec;
}

Result<HardeningPlan> prepare_hardening(const HardeningSpec& spec) {
  HardeningPlan plan;
  plan.rlimits = plan_rlimits(spec.max_memory_mib, spec.max_processes);
  auto landlock = prepare_landlock(spec.landlock);
  if (!landlock) return tl::unexpected(landlock.error());
  plan.landlock = std::move(*landlock);
  auto seccomp = compile_seccomp_policy();
  if (!seccomp) return tl::unexpected(seccomp.error());
  plan.seccomp = std::move(*seccomp);
  return plan;
}

// The checklist. The child of fork() has one thread, so every step below
// covers the whole guest without SECCOMP_FILTER_FLAG_TSYNC.
ApplyOutcome apply_in_child(const HardeningPlan& plan) noexcept {
  ApplyOutcome out;

  // 1. rlimits first: lowering a limit needs no privilege, and they must be set
  //    before exec so the new program starts under them (they survive exec).
  if (int err = apply_rlimits(plan.rlimits, &out.rlimit_resource); err != 0) {
    return failed(out, HardeningStep::rlimits, err);
  }
  out.rlimits = true;

  // 2. no_new_privs before Landlock and seccomp: without CAP_SYS_ADMIN the
  //    kernel refuses both unless it is set; and it must hold across exec so a
  //    setuid binary cannot gain privileges the filters did not foresee.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return failed(out, HardeningStep::no_new_privs, errno);
  }
  out.no_new_privs = true;

  // 3. Landlock before seccomp: the seccomp filter then never has to allow the
  //    landlock_* syscalls. The ruleset fd is O_CLOEXEC and closes at exec.
  if (int err = apply_landlock(plan.landlock); err != 0) {
    return failed(out, HardeningStep::landlock, err);
  }
  out.landlock = static_cast<bool>(plan.landlock.ruleset);

  // 4. seccomp last, right before exec: only the caller's write of this outcome
  //    and execve follow, so the filter need not allow anything of our setup.
  if (int err = apply_seccomp(plan.seccomp); err != 0) {
    return failed(out, HardeningStep::seccomp, err);
  }
  out.seccomp = true;
  return out;
}

std::string_view to_string(HardeningStep step) {
  switch (step) {
    case HardeningStep::none:
      return "none";
    case HardeningStep::rlimits:
      return "setrlimit";
    case HardeningStep::no_new_privs:
      return "prctl PR_SET_NO_NEW_PRIVS";
    case HardeningStep::landlock:
      return "landlock_restrict_self";
    case HardeningStep::seccomp:
      return "seccomp SECCOMP_SET_MODE_FILTER";
  }
  return "unknown";
}

std::string describe(const ApplyOutcome& outcome) {
  if (outcome.ok()) return {};
  std::string what(to_string(outcome.failed_step));
  if (outcome.failed_step == HardeningStep::rlimits) {
    what += ' ';
    what += rlimit_name(outcome.rlimit_resource);
  }
  return hardening_error(what, outcome.error).message;
}

bool send_outcome(int fd, const ApplyOutcome& outcome) noexcept {
  return sys::write_all(fd, {reinterpret_cast<const char*>(&outcome), sizeof outcome}) == 0;
}

Result<ApplyOutcome> receive_outcome(int fd) {
  ApplyOutcome outcome;
  std::size_t got = 0;
  const auto error = sys::read_exact(fd, reinterpret_cast<char*>(&outcome), sizeof outcome,
                                     sys::Clock::time_point::max(), got);
  if (error == std::errc::no_message_available) {
    return fail(ErrorCode::process_hardening_failed,
                "read hardening outcome: the child ended before reporting");
  }
  if (error) return tl::unexpected(hardening_error("read hardening outcome", error.value()));
  return outcome;
}

}  // namespace oxydra::sandbox
