#include "oxydra/sandbox/harden_report.h"

#include <string>

namespace oxydra::sandbox {

namespace {

class Builder {
 public:
  Builder(const HardeningPlan& plan, const ApplyOutcome& outcome, const ProcessMeasurement& m)
      : plan_(plan), outcome_(outcome), m_(m) {}

  MeasuredEnforcement build() {
    out_.report.namespaces = m_.namespaces;
    out_.report.rootfs_read_only = m_.rootfs_read_only;
    capabilities();
    no_new_privs();
    seccomp();
    landlock();
    rlimits();
    if (m_.namespaces.net == false) out_.report.network = std::string(kNetworkEgress);
    for (const auto& problem : m_.problems)
      note("not measured: " + problem);
    return std::move(out_);
  }

 private:
  void limited(std::string detail) {
    out_.degraded.push_back(
        DegradedReason{std::string(degraded::kProcessHardeningLimited), std::move(detail)});
  }
  void note(std::string text) { out_.report.notes.push_back(std::move(text)); }
  bool failed_at(HardeningStep step) const { return outcome_.failed_step == step; }

  void capabilities() {
    if (!m_.status.cap_eff) return;
    out_.report.capabilities = capability_names(*m_.status.cap_eff);
    out_.report.capabilities_mask = capability_mask_hex(*m_.status.cap_eff);
    if (*m_.status.cap_eff != 0) {
      note("the guest holds " + std::to_string(out_.report.capabilities->size()) +
           " capabilities: the process tier does not drop them");
    }
  }

  void no_new_privs() {
    out_.report.no_new_privs = m_.status.no_new_privs;
    if (!outcome_.no_new_privs) {
      limited("no_new_privs not set: " + not_reached(HardeningStep::no_new_privs));
    } else if (m_.status.no_new_privs != true) {
      limited("no_new_privs set by the child but not shown in /proc status");
    }
  }

  void seccomp() {
    if (m_.status.seccomp_mode) {
      static constexpr std::string_view kModes[] = {kSeccompDisabled, kSeccompStrict,
                                                    kSeccompFilter};
      int mode = *m_.status.seccomp_mode;
      SeccompState state{std::string(mode >= 0 && mode <= 2 ? kModes[mode] : "unknown"), {}};
      if (outcome_.seccomp && mode == 2) state.policy = plan_.seccomp.policy;
      out_.report.seccomp = std::move(state);
    }
    if (!outcome_.seccomp) {
      limited("seccomp filter " + plan_.seccomp.policy +
              " not loaded: " + not_reached(HardeningStep::seccomp));
    } else if (m_.status.seccomp_mode != 2) {
      limited("seccomp filter loaded by the child but /proc status does not show filter mode");
    }
    if (!plan_.seccomp.skipped.empty()) {
      std::string list;
      for (const auto& name : plan_.seccomp.skipped)
        list += (list.empty() ? "" : ", ") + name;
      note("seccomp: not on this architecture, so not filtered: " + list);
    }
  }

  void landlock() {
    const LandlockPlan& ll = plan_.landlock;
    LandlockState state;
    if (ll.abi > 0) state.abi = ll.abi;
    if (ll.abi == 0) {
      state.status = std::string(kLandlockUnsupported);
    } else if (!outcome_.landlock) {
      state.status = std::string(kLandlockNotEnforced);
      limited("landlock not enforced: " + not_reached(HardeningStep::landlock));
    } else {
      state.status = std::string(ll.abi >= kLandlockFullAbi ? kLandlockFullyEnforced
                                                            : kLandlockPartiallyEnforced);
      state.handled_access_fs = landlock_fs_access_names(ll.handled_access_fs);
      state.handled_access_net = landlock_net_access_names(ll.handled_access_net);
      state.scoped = landlock_scope_names(ll.scoped);
      out_.report.writable_paths = ll.writable_paths;
      note("landlock does not restrict UDP, nor connecting to Unix sockets by path");
    }
    // The plan's limits say what this kernel cannot do at all (including no
    // Landlock); they stand whether or not the restriction itself succeeded.
    for (const auto& line : ll.limits)
      limited(line);
    if (!ll.skipped_paths.empty()) {
      std::string list;
      for (const auto& path : ll.skipped_paths)
        list += (list.empty() ? "" : ", ") + path;
      note("landlock: optional paths absent on this host: " + list);
    }
    out_.report.landlock = std::move(state);
  }

  void rlimits() {
    if (!outcome_.rlimits) {
      limited("resource limits not set: " + not_reached(HardeningStep::rlimits));
      return;
    }
    CgroupLimits limits;
    limits.source = "rlimit (per process; RLIMIT_NPROC counts per user)";
    if (m_.limits.data) limits.memory = m_.limits.data->soft;
    if (m_.limits.processes) limits.pids = m_.limits.processes->soft;
    for (std::size_t i = 0; i < plan_.rlimits.count; ++i) {
      check_rlimit(plan_.rlimits.items[i]);
    }
    if (!plan_.rlimits.memory_skipped.empty()) limited(std::string(plan_.rlimits.memory_skipped));
    if (limits.memory || limits.pids) out_.report.cgroup = std::move(limits);
  }

  void check_rlimit(const RlimitSetting& want) {
    std::optional<ProcLimit> have;
    if (want.resource == RLIMIT_DATA) have = m_.limits.data;
    if (want.resource == RLIMIT_NPROC) have = m_.limits.processes;
    if (want.resource == RLIMIT_CORE) have = m_.limits.core;
    std::string name(rlimit_name(want.resource));
    if (!have || have->soft != std::optional<std::uint64_t>(want.value)) {
      limited(name + " " + std::to_string(want.value) + " set but not shown in /proc limits");
      return;
    }
    if (want.resource != RLIMIT_NPROC) return;
    // copy_process() skips the check for uid 0 and for these two capabilities.
    auto cap = [&](int bit) { return m_.status.cap_eff && (*m_.status.cap_eff >> bit) & 1; };
    if (m_.status.real_uid == 0u || cap(kCapSysAdmin) || cap(kCapSysResource)) {
      limited(name + " " + std::to_string(want.value) +
              " not enforced: the guest runs as root or with CAP_SYS_ADMIN/CAP_SYS_RESOURCE");
    }
  }

  // Why a step did not happen: its own error, or an earlier step's.
  std::string not_reached(HardeningStep step) const {
    if (failed_at(step)) return describe(outcome_);
    if (outcome_.ok()) return "not attempted";
    return "an earlier step failed (" + describe(outcome_) + ")";
  }

  const HardeningPlan& plan_;
  const ApplyOutcome& outcome_;
  const ProcessMeasurement& m_;
  MeasuredEnforcement out_;
};

}  // namespace

MeasuredEnforcement enforcement_report(const HardeningPlan& plan, const ApplyOutcome& outcome,
                                       const ProcessMeasurement& measured) {
  return Builder(plan, outcome, measured).build();
}

}  // namespace oxydra::sandbox
