#include "oxydra/sandbox/seccomp.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "harden_error.h"
#include "oxydra/sandbox/seccomp_policy.h"
#include "oxydra/sys/unique_fd.h"

namespace oxydra::sandbox {

namespace {

struct ReleaseFilter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using FilterContext = std::unique_ptr<void, ReleaseFilter>;

// libseccomp returns -errno.
Result<void> check(int rc, const std::string& what) {
  if (rc < 0) return tl::unexpected(hardening_error(what, -rc));
  return {};
}

// Spelled out rather than SCMP_CMP(), whose partial initializer clang flags.
scmp_arg_cmp to_cmp(const ArgRule& rule) {
  scmp_arg_cmp cmp{};
  cmp.arg = rule.index;
  cmp.datum_a = rule.value;
  switch (rule.op) {
    case ArgOp::eq:
      cmp.op = SCMP_CMP_EQ;
      return cmp;
    case ArgOp::lt:
      cmp.op = SCMP_CMP_LT;
      return cmp;
    case ArgOp::gt:
      cmp.op = SCMP_CMP_GT;
      return cmp;
    case ArgOp::masked_eq:
      break;
  }
  cmp.op = SCMP_CMP_MASKED_EQ;
  cmp.datum_b = rule.value_two;
  return cmp;
}

// Negative numbers are libseccomp's pseudo-syscalls, and unknown names fail:
// the call does not exist here, so there is nothing to allow or refuse. Only
// a refusal that cannot be installed is worth reporting (an allow that cannot
// be is refused like everything else off the list).
int resolve(std::string_view name) {
  return seccomp_syscall_resolve_name(std::string(name).c_str());
}

Result<void> add_rules(scmp_filter_ctx ctx, SeccompPlan& plan, SeccompList list) {
  const auto allowed =
      list == SeccompList::runtime ? seccomp_runtime_syscalls() : seccomp_allowed_syscalls();
  for (const std::string_view name : allowed) {
    const int nr = resolve(name);
    if (nr < 0) continue;
    auto added = check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0),
                       "seccomp_rule_add " + std::string(name));
    if (!added) return added;
  }
  const auto add_conditional = [&](const ArgRule& rule, std::uint32_t action) -> Result<void> {
    const int nr = resolve(rule.name);
    if (nr < 0) return {};
    return check(seccomp_rule_add(ctx, action, nr, 1, to_cmp(rule)),
                 "seccomp_rule_add " + std::string(rule.name));
  };
  for (const auto& rule : seccomp_allowed_with_args()) {
    // The runtime's list has no personality at all.
    if (list == SeccompList::runtime && rule.name == "personality") continue;
    if (auto added = add_conditional(rule, SCMP_ACT_ALLOW); !added) return added;
  }
  // Refused by the default action already; a denial with an errno of its own
  // (clone3's ENOSYS) needs a rule (libseccomp refuses one equal to the default).
  for (const auto& denial : seccomp_denied_syscalls()) {
    if (denial.error == kSeccompDefaultErrno) continue;
    const int nr = resolve(denial.name);
    if (nr < 0) {
      plan.skipped.emplace_back(denial.name);
      continue;
    }
    auto added = check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(denial.error), nr, 0),
                       "seccomp_rule_add " + std::string(denial.name));
    if (!added) return added;
  }
  return {};
}

// libseccomp 2.5 can only export to a file descriptor; a memfd keeps it in memory.
Result<std::vector<sock_filter>> export_program(scmp_filter_ctx ctx) {
  sys::UniqueFd fd(::memfd_create("oxydra-seccomp", MFD_CLOEXEC));
  if (!fd) return tl::unexpected(hardening_error("memfd_create oxydra-seccomp", errno));
  if (auto exported = check(seccomp_export_bpf(ctx, fd.get()), "seccomp_export_bpf"); !exported) {
    return tl::unexpected(exported.error());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return tl::unexpected(hardening_error("fstat memfd", errno));
  if (st.st_size <= 0 || st.st_size % sizeof(sock_filter) != 0) {
    return tl::unexpected(hardening_error("seccomp_export_bpf: odd program size", EINVAL));
  }
  std::vector<sock_filter> program(static_cast<std::size_t>(st.st_size) / sizeof(sock_filter));
  ssize_t n = ::pread(fd.get(), program.data(), static_cast<std::size_t>(st.st_size), 0);
  if (n != st.st_size) return tl::unexpected(hardening_error("read seccomp program", errno));
  return program;
}

}  // namespace

Result<SeccompPlan> compile_seccomp_policy(SeccompList list, std::string_view name) {
  SeccompPlan plan;
  plan.policy = std::string(name);
  FilterContext ctx(seccomp_init(SCMP_ACT_ERRNO(kSeccompDefaultErrno)));
  if (!ctx) return tl::unexpected(hardening_error("seccomp_init", ENOMEM));
  // The native architecture only: i386 (int 0x80) and x32 calls would reach
  // the same kernel code under other numbers, so they are killed outright.
  if (auto r = check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS),
                     "seccomp_attr_set ACT_BADARCH");
      !r) {
    return tl::unexpected(r.error());
  }
  // harden.cc sets no_new_privs itself, at its place in the checklist.
  if (auto r = check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0), "seccomp_attr_set NNP");
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = add_rules(ctx.get(), plan, list); !r) return tl::unexpected(r.error());
  auto program = export_program(ctx.get());
  if (!program) return tl::unexpected(program.error());
  plan.program = std::move(*program);
  return plan;
}

int apply_seccomp(const SeccompPlan& plan) noexcept {
  if (plan.program.empty()) return EINVAL;
  sock_fprog prog{static_cast<unsigned short>(plan.program.size()),
                  const_cast<sock_filter*>(plan.program.data())};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return errno;
  return 0;
}

}  // namespace oxydra::sandbox
