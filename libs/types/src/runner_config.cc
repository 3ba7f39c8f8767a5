#include "oxydra/types/runner_config.h"

#include <arpa/inet.h>

#include <cctype>
#include <system_error>

#include "oxydra/types/credential_ref.h"
#include "oxydra/types/guest_images.h"
#include "oxydra/types/user_id.h"
#include "oxydra/types/workspace_layout.h"
#include "toml_reader.h"

namespace oxydra {

using detail::TomlReader;

std::string_view to_string(ContainerDriverKind driver) {
  return driver == ContainerDriverKind::docker ? "docker" : "oci";
}

std::string_view to_string(MicroVmm vmm) {
  return vmm == MicroVmm::firecracker ? "firecracker" : "qemu";
}

std::string_view to_string(VmAccel accel) {
  switch (accel) {
    case VmAccel::automatic:
      return "auto";
    case VmAccel::kvm:
      return "kvm";
    case VmAccel::tcg:
      return "tcg";
  }
  return "auto";
}

namespace {

std::optional<std::vector<std::string>> read_env_names(TomlReader& r, std::string_view key) {
  auto names = r.string_list(key);
  if (!names) return std::nullopt;
  for (const auto& name : *names) {
    if (auto valid = parse_credential_ref("env:" + name); !valid) {
      r.problem(key, "\"" + name + "\" is not an environment variable name");
      return std::nullopt;
    }
  }
  return names;
}

// "ip:port" or "[ipv6]:port", a literal address: the egress proxy compares
// resolved addresses, so a name here would be a second resolution to trust.
bool valid_egress_entry(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) return false;
  std::string host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  const long number = std::stol(port);
  if (number < 1 || number > 65535) return false;
  unsigned char buffer[16];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    return ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
  }
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1;
}

void read_users(TomlReader& root, RunnerConfig& config) {
  if (!root.require("users")) return;
  auto users = root.table("users");
  if (!users) return;
  for (auto& [id, entry] : users->tables()) {
    if (auto valid = validate_user_id(id); !valid) {
      users->problem(id, valid.error().message);
      continue;
    }
    entry.only_keys({"config_path", "mount_roots", "credential_envs"});
    if (!entry.require("config_path")) continue;
    auto path = entry.path("config_path");
    if (!path) continue;
    UserEntry user{*path, {}, {}};
    if (auto roots = entry.path_list("mount_roots")) user.mount_roots = std::move(*roots);
    if (auto envs = read_env_names(entry, "credential_envs"))
      user.credential_envs = std::move(*envs);
    config.users[id] = std::move(user);
  }
  // An empty [users] is a host with nobody set up yet (a fresh install):
  // list shows nobody, and start says how to add a user.
}

void read_policy(TomlReader& r, RunnerPolicy& p) {
  r.only_keys({"shell_enabled", "browser_enabled", "shell_network", "max_vcpus", "max_memory_mib",
               "max_processes", "max_disk_mib", "mount_roots", "credential_envs", "secrets_dir",
               "egress_allow", "operator_group", "credential_hosts"});
  r.read("shell_enabled", p.shell_enabled);
  r.read("browser_enabled", p.browser_enabled);
  r.read("shell_network", p.shell_network);
  r.read("max_vcpus", p.max_vcpus, 1, 1024);
  r.read("max_memory_mib", p.max_memory_mib, 16);
  r.read("max_processes", p.max_processes, 1);
  r.read("max_disk_mib", p.max_disk_mib, 16);
  if (auto roots = r.path_list("mount_roots")) p.mount_roots = std::move(*roots);
  if (auto envs = read_env_names(r, "credential_envs")) p.credential_envs = std::move(*envs);
  r.read_path("secrets_dir", p.secrets_dir);
  if (auto allowed = r.string_list("egress_allow")) {
    for (const auto& entry : *allowed) {
      if (valid_egress_entry(entry)) {
        p.egress_allow.push_back(entry);
      } else {
        r.problem("egress_allow", "\"" + entry + "\" must be IP:PORT or [IPv6]:PORT");
      }
    }
  }
  r.read("operator_group", p.operator_group);
  if (auto hosts = r.table("credential_hosts")) {
    for (auto& [ref, names] : hosts->string_lists()) {
      if (auto parsed = parse_credential_ref(ref); !parsed) {
        hosts->problem(ref, "must be a credential ref (env:NAME or file:PATH)");
        continue;
      }
      for (auto& name : names) {
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      p.credential_hosts[ref] = std::move(names);
    }
  }
}

void read_container(TomlReader& r, ContainerTierConfig& c) {
  r.only_keys({"driver", "oci_runtime", "shell_vm_rootfs", "oxydra_vm_rootfs", "shell_vm_image",
               "oxydra_vm_image", "docker_host"});
  if (auto driver = r.choice<ContainerDriverKind>(
          "driver", {{"oci", ContainerDriverKind::oci}, {"docker", ContainerDriverKind::docker}})) {
    c.driver = *driver;
  }
  r.read_program("oci_runtime", c.oci_runtime);
  r.read_path("shell_vm_rootfs", c.shell_vm_rootfs);
  r.read_path("oxydra_vm_rootfs", c.oxydra_vm_rootfs);
  r.read("shell_vm_image", c.shell_vm_image);
  r.read("oxydra_vm_image", c.oxydra_vm_image);
  r.read("docker_host", c.docker_host);
  constexpr std::string_view kUnix = "unix://";
  if (!c.docker_host.empty() &&
      (c.docker_host.rfind(kUnix, 0) != 0 || c.docker_host.size() == kUnix.size())) {
    r.problem("docker_host", "must be unix://PATH (only Unix sockets are supported)");
  }
}

void read_micro_vm(TomlReader& r, MicroVmTierConfig& m) {
  r.only_keys({"vmm", "qemu", "firecracker", "accel", "kernel", "initramfs", "shell_vm_rootfs",
               "oxydra_vm_rootfs", "kernel_args", "boot_timeout_secs"});
  if (auto vmm = r.choice<MicroVmm>(
          "vmm", {{"qemu", MicroVmm::qemu}, {"firecracker", MicroVmm::firecracker}})) {
    m.vmm = *vmm;
  }
  r.read_program("qemu", m.qemu);
  r.read_program("firecracker", m.firecracker);
  if (auto accel = r.choice<VmAccel>(
          "accel", {{"auto", VmAccel::automatic}, {"kvm", VmAccel::kvm}, {"tcg", VmAccel::tcg}})) {
    m.accel = *accel;
  }
  r.read_path("kernel", m.kernel);
  r.read_path("initramfs", m.initramfs);
  r.read_path("shell_vm_rootfs", m.shell_vm_rootfs);
  r.read_path("oxydra_vm_rootfs", m.oxydra_vm_rootfs);
  r.read("kernel_args", m.kernel_args);
  r.read("boot_timeout_secs", m.boot_timeout_secs, 1);
}

void read_process(TomlReader& r, ProcessTierConfig& p) {
  r.only_keys({"oxydra_vm", "require_hardening"});
  if (auto path = r.path("oxydra_vm")) p.oxydra_vm = *path;
  r.read("require_hardening", p.require_hardening);
}

void read_supervision(TomlReader& r, SupervisionConfig& s) {
  r.only_keys({"restart_max", "restart_backoff_ms", "restart_backoff_max_ms", "restart_reset_secs",
               "startup_timeout_secs", "stop_timeout_secs"});
  r.read("restart_max", s.restart_max, 0, 1000);
  r.read("restart_backoff_ms", s.restart_backoff_ms, 1);
  r.read("restart_backoff_max_ms", s.restart_backoff_max_ms, 1);
  r.read("restart_reset_secs", s.restart_reset_secs, 1);
  r.read("startup_timeout_secs", s.startup_timeout_secs, 1);
  r.read("stop_timeout_secs", s.stop_timeout_secs, 1);
  if (s.restart_backoff_max_ms < s.restart_backoff_ms) {
    r.problem("restart_backoff_max_ms", "must not be less than restart_backoff_ms");
  }
}

void read_logs(TomlReader& r, LogConfig& l) {
  r.only_keys({"max_bytes", "max_files"});
  r.read("max_bytes", l.max_bytes, 4096);
  r.read("max_files", l.max_files, 1, 1000);
}

// Sections read with `read` when present; absent sections keep their defaults.
template <typename Section>
void section(TomlReader& root, std::string_view key, Section& out,
             void (*read)(TomlReader&, Section&)) {
  if (auto table = root.table(key)) read(*table, out);
}

void fill_image_defaults(RunnerConfig& c) {
  const auto set = [](std::filesystem::path& p, const std::filesystem::path& fallback) {
    if (p.empty()) p = fallback;
  };
  set(c.images_dir, c.workspace_root / ".images");
  const auto container = c.images_dir / guest_images::kContainerDir;
  set(c.container.shell_vm_rootfs, container / "shell-vm");
  set(c.container.oxydra_vm_rootfs, container / "oxydra-vm");
  const auto vm = c.images_dir / guest_images::kMicroVmDir;
  set(c.micro_vm.kernel, vm / "vmlinux");
  set(c.micro_vm.initramfs, vm / "initramfs.cpio.gz");
  set(c.micro_vm.shell_vm_rootfs, vm / "shell-vm.img");
  set(c.micro_vm.oxydra_vm_rootfs, vm / "oxydra-vm.img");
}

// Every user's ipc/ directory must leave room for the project's socket names.
void check_socket_room(TomlReader& root, const RunnerConfig& c) {
  for (const auto& [id, entry] : c.users) {
    const auto ipc = workspace_layout(c.workspace_root, id).ipc.string();
    if (ipc.size() + 1 + kMaxIpcSocketNameLength > kMaxUnixSocketPath) {
      root.problem("workspace_root",
                   "\"" + c.workspace_root.string() + "\" is too long: Unix socket paths under " +
                       ipc + "/ would exceed " + std::to_string(kMaxUnixSocketPath) + " bytes");
      return;
    }
  }
}

}  // namespace

Result<RunnerConfig> parse_runner_config(std::string_view text, std::string_view source_name,
                                         const std::filesystem::path& base_dir) {
  auto doc = detail::parse_toml(text, source_name);
  if (!doc) return tl::unexpected(doc.error());
  detail::ConfigProblems problems(std::string(source_name) + ": ");
  TomlReader root(*doc, "", problems, base_dir);
  root.only_keys({"workspace_root", "images_dir", "default_tier", "users", "policy", "container",
                  "micro_vm", "process", "supervision", "logs"});

  RunnerConfig config;
  config.source = std::string(source_name);
  config.workspace_root = detail::resolve_path(base_dir, "workspace");
  root.read_path("workspace_root", config.workspace_root);
  if (config.workspace_root == config.workspace_root.root_path() &&
      !config.workspace_root.empty()) {
    root.problem("workspace_root", "must not be the file system root");
  }
  root.read_path("images_dir", config.images_dir);
  if (auto tier = detail::read_configured_tier(root, "default_tier")) config.default_tier = *tier;
  read_users(root, config);
  section(root, "policy", config.policy, read_policy);
  section(root, "container", config.container, read_container);
  section(root, "micro_vm", config.micro_vm, read_micro_vm);
  section(root, "process", config.process, read_process);
  section(root, "supervision", config.supervision, read_supervision);
  section(root, "logs", config.logs, read_logs);
  fill_image_defaults(config);
  check_socket_room(root, config);
  if (!problems.ok()) return problems.error();
  return config;
}

Result<RunnerConfig> load_runner_config(const std::filesystem::path& path) {
  auto text = detail::read_config_file(path);
  if (!text) return tl::unexpected(text.error());
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  if (ec) return tl::unexpected(errno_error("cannot resolve " + path.string(), ec.value()));
  return parse_runner_config(*text, path.string(), absolute.parent_path());
}

}  // namespace oxydra
