#include "oxydra/sandbox/landlock.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <string_view>

#include "harden_error.h"
#include "landlock_uapi.h"

namespace oxydra::sandbox {

namespace {

namespace ll = landlock_uapi;

struct NamedBit {
  std::uint64_t bit;
  std::string_view name;
};

constexpr NamedBit kFsNames[] = {
    {ll::kFsExecute, "execute"},      {ll::kFsWriteFile, "write_file"},
    {ll::kFsReadFile, "read_file"},   {ll::kFsReadDir, "read_dir"},
    {ll::kFsRemoveDir, "remove_dir"}, {ll::kFsRemoveFile, "remove_file"},
    {ll::kFsMakeChar, "make_char"},   {ll::kFsMakeDir, "make_dir"},
    {ll::kFsMakeReg, "make_reg"},     {ll::kFsMakeSock, "make_sock"},
    {ll::kFsMakeFifo, "make_fifo"},   {ll::kFsMakeBlock, "make_block"},
    {ll::kFsMakeSym, "make_sym"},     {ll::kFsRefer, "refer"},
    {ll::kFsTruncate, "truncate"},    {ll::kFsIoctlDev, "ioctl_dev"},
};
constexpr NamedBit kNetNames[] = {{ll::kNetBindTcp, "bind_tcp"},
                                  {ll::kNetConnectTcp, "connect_tcp"}};
constexpr NamedBit kScopeNames[] = {{ll::kScopeAbstractUnixSocket, "abstract_unix_socket"},
                                    {ll::kScopeSignal, "signal"}};

// Rights that apply to a file rather than a directory; the kernel rejects a
// rule on a file that grants any other.
constexpr std::uint64_t kFileRights =
    ll::kFsExecute | ll::kFsWriteFile | ll::kFsReadFile | ll::kFsTruncate | ll::kFsIoctlDev;

template <std::size_t N>
std::vector<std::string> names_of(std::uint64_t mask, const NamedBit (&table)[N]) {
  std::vector<std::string> names;
  for (const auto& entry : table) {
    if (mask & entry.bit) names.emplace_back(entry.name);
  }
  return names;
}

std::uint64_t handled_fs_for(int abi) {
  std::uint64_t mask = (ll::kFsMakeSym << 1) - 1;  // ABI 1: execute .. make_sym
  if (abi >= 2) mask |= ll::kFsRefer;
  if (abi >= 3) mask |= ll::kFsTruncate;
  if (abi >= 5) mask |= ll::kFsIoctlDev;
  return mask;
}

// One line per protection the policy wants and this ABI cannot give.
std::vector<std::string> limits_of(int abi) {
  std::vector<std::string> limits;
  auto need = [&](int version, std::string_view what) {
    if (abi < version) {
      limits.push_back("landlock ABI " + std::to_string(abi) + ": " + std::string(what) +
                       " not restricted (needs ABI " + std::to_string(version) + ")");
    }
  };
  need(3, "truncate");
  need(4, "TCP bind and connect");
  need(5, "device ioctl");
  need(6, "signals and abstract Unix sockets");
  return limits;
}

Result<void> add_path_rule(LandlockPlan& plan, const PathRule& rule) {
  sys::UniqueFd fd(::open(rule.path.c_str(), O_PATH | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT && !rule.required) {
      plan.skipped_paths.push_back(rule.path);
      return {};
    }
    return tl::unexpected(hardening_error("landlock open " + rule.path, errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return tl::unexpected(hardening_error("landlock fstat " + rule.path, errno));
  }
  std::uint64_t allowed = fs_access_rights(rule.access) & plan.handled_access_fs;
  if (!S_ISDIR(st.st_mode)) allowed &= kFileRights;
  if (allowed == 0) return {};
  ll::PathBeneathAttr attr{allowed, fd.get()};
  if (ll::add_rule(plan.ruleset.get(), ll::kRulePathBeneath, &attr) != 0) {
    return tl::unexpected(hardening_error("landlock_add_rule " + rule.path, errno));
  }
  if ((allowed & ll::kFsWriteFile) && rule.access == PathAccess::read_write) {
    plan.writable_paths.push_back(rule.path);
  }
  return {};
}

Result<void> add_port_rules(LandlockPlan& plan, const std::vector<std::uint16_t>& ports,
                            std::uint64_t access, std::string_view what) {
  for (std::uint16_t port : ports) {
    ll::NetPortAttr attr{access, port};
    if (ll::add_rule(plan.ruleset.get(), ll::kRuleNetPort, &attr) != 0) {
      return tl::unexpected(hardening_error(
          "landlock_add_rule " + std::string(what) + " port " + std::to_string(port), errno));
    }
  }
  return {};
}

}  // namespace

int landlock_abi(int* error) {
  long abi = ll::create_ruleset(nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 0) {
    if (error) *error = errno;
    return 0;
  }
  if (error) *error = 0;
  return static_cast<int>(abi);
}

Result<LandlockPlan> prepare_landlock(const LandlockPolicy& policy) {
  LandlockPlan plan;
  plan.abi = landlock_abi(&plan.unavailable_errno);
  if (plan.abi == 0) {
    plan.limits.push_back(
        hardening_error("landlock unavailable: landlock_create_ruleset", plan.unavailable_errno)
            .message);
    return plan;
  }
  plan.handled_access_fs = handled_fs_for(plan.abi);
  if (plan.abi >= 4) plan.handled_access_net = ll::kNetBindTcp | ll::kNetConnectTcp;
  if (plan.abi >= 6) {
    if (policy.scope_signal) plan.scoped |= ll::kScopeSignal;
    if (policy.scope_abstract_unix_socket) plan.scoped |= ll::kScopeAbstractUnixSocket;
  }
  if (plan.abi >= 7 && policy.log_denials_after_exec) {
    plan.restrict_flags |= ll::kRestrictLogNewExecOn;
  }
  plan.limits = limits_of(plan.abi);

  ll::RulesetAttr attr{plan.handled_access_fs, plan.handled_access_net, plan.scoped};
  long fd = ll::create_ruleset(&attr, ll::ruleset_attr_size(plan.abi), 0);
  if (fd < 0) return tl::unexpected(hardening_error("landlock_create_ruleset", errno));
  plan.ruleset.reset(static_cast<int>(fd));

  for (const auto& rule : policy.paths) {
    if (auto added = add_path_rule(plan, rule); !added) return tl::unexpected(added.error());
  }
  if (plan.handled_access_net != 0) {
    if (auto r = add_port_rules(plan, policy.tcp_connect_ports, ll::kNetConnectTcp, "connect_tcp");
        !r) {
      return tl::unexpected(r.error());
    }
    if (auto r = add_port_rules(plan, policy.tcp_bind_ports, ll::kNetBindTcp, "bind_tcp"); !r) {
      return tl::unexpected(r.error());
    }
  }
  return plan;
}

int apply_landlock(const LandlockPlan& plan) noexcept {
  if (!plan.ruleset) return 0;
  if (ll::restrict_self(plan.ruleset.get(), plan.restrict_flags) != 0) return errno;
  return 0;
}

std::vector<std::string> landlock_fs_access_names(std::uint64_t mask) {
  return names_of(mask, kFsNames);
}
std::vector<std::string> landlock_net_access_names(std::uint64_t mask) {
  return names_of(mask, kNetNames);
}
std::vector<std::string> landlock_scope_names(std::uint64_t mask) {
  return names_of(mask, kScopeNames);
}

}  // namespace oxydra::sandbox
