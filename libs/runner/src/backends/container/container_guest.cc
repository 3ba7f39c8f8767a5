#include "backends/container/container_guest.h"

#include <cstdlib>

#include "backends/container/guest_ids.h"

namespace oxydra::runner {

namespace {

using guest_images::kOxydraVm;
using guest_images::kShellDaemon;

// The runtime guest needs far less than a user's shell; it gets fixed limits.
constexpr UserResources kRuntimeResources{
    .max_vcpus = 1, .max_memory_mib = 512, .max_processes = 128};

constexpr const char* kGuestPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr const char* kPassThroughEnv[] = {"OXYDRA_LOG", "TZ"};

std::vector<std::string> init_prefix(std::optional<int> lifeline_fd) {
  std::vector<std::string> args = {kGuestInit};
  if (lifeline_fd) {
    args.emplace_back("--lifeline-fd");
    args.push_back(std::to_string(*lifeline_fd));
  }
  args.emplace_back("--");
  return args;
}

}  // namespace

std::string container_role_name(GuestRole role) {
  return role == GuestRole::sidecar ? "shell-vm" : "oxydra-vm";
}

std::string container_name(const std::string& user_id, GuestRole role) {
  return "oxydra-" + user_id + "-" + container_role_name(role);
}

std::filesystem::path shell_ipc_dir(const UserPolicy& policy) {
  return policy.layout.ipc / "shell";
}

std::filesystem::path gateway_ipc_dir(const UserPolicy& policy) {
  return policy.layout.ipc / "gateway";
}

std::filesystem::path egress_ipc_dir(const UserPolicy& policy) {
  return policy.layout.ipc / "egress";
}

OciGuest container_guest(GuestRole role, const UserPolicy& p, std::optional<int> lifeline_fd) {
  OciGuest guest;
  guest.hostname = container_name(p.user_id, role);
  guest.uid = kGuestUid;
  guest.gid = kGuestUid;
  guest.env = {kGuestPath, "LANG=C.UTF-8", "USER=oxydra"};
  guest.args = init_prefix(lifeline_fd);
  if (role == GuestRole::sidecar) {
    guest.args.insert(guest.args.end(), {kShellDaemon, "--socket", "/ipc/shell.sock"});
    guest.cwd = "/shared";
    guest.env.push_back("HOME=/shared");
    guest.env.push_back("TMPDIR=/tmp");
    guest.binds = {
        {p.shared, "/shared", false}, {p.tmp, "/tmp", false}, {shell_ipc_dir(p), "/ipc", false}};
    // Never the host's network: with shell_network, egress goes through the
    // runner's proxy (tools that honour ALL_PROXY use it; curl does).
    if (p.shell_network) {
      guest.binds.push_back({egress_ipc_dir(p), kGuestEgressDir, true});
      const std::string proxy = std::string("socks5h://localhost") + kGuestEgressSocket;
      guest.env.push_back("ALL_PROXY=" + proxy);
      guest.env.push_back("all_proxy=" + proxy);
    }
    guest.resources = p.resources;
  } else {
    const std::string ws = kGuestWorkspace;
    guest.args.insert(guest.args.end(),
                      {kOxydraVm, "--bootstrap-socket", ws + "/ipc/bootstrap.sock"});
    guest.cwd = ws;
    guest.env.push_back("HOME=" + ws + "/internal");
    guest.env.push_back("TMPDIR=" + ws + "/tmp");
    guest.binds = {{p.shared, ws + "/shared", false},
                   {p.tmp, ws + "/tmp", false},
                   {p.vault, ws + "/vault", true},
                   {p.layout.ipc, ws + "/ipc", false},
                   {p.layout.internal, ws + "/internal", false},
                   // Its only way out: the runner's egress proxy (names resolve there).
                   {egress_ipc_dir(p), kGuestEgressDir, true}};
    guest.resources = kRuntimeResources;
    guest.runtime_seccomp = true;
  }
  for (const char* name : kPassThroughEnv) {
    if (const char* value = std::getenv(name)) guest.env.push_back(std::string(name) + "=" + value);
  }
  return guest;
}

}  // namespace oxydra::runner
