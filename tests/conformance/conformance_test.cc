// The shell-vm conformance suite (../shared/design/tiers.md, "Properties every
// shell-vm must hold", 1-11, and the trust-boundary properties 12-18): starts
// a real user on the container tier with the real oxydra-runner, runs
// probes.sh inside shell-vm through the shell daemon (`oxydra-runner exec`),
// adds the probes that only the host can make (boundary_probes.h), prints the
// table and expects every property to pass. See README.md here.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "boundary_probes.h"
#include "conformance_fixture.h"
#include "oxydra/testlib/child_process.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "oxydra/testlib/temp_dir.h"
#include "oxydra/types/guest_images.h"

namespace oxydra::conformance {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxProcesses = 64;
constexpr int kMaxMemoryMib = 128;
constexpr int kMaxDiskMib = 16;
constexpr const char* kCredentialEnv = "OXY_CONFORMANCE_KEY";
constexpr const char* kRuncRoot = "/run/oxydra/runc";    // the oci driver's state directory
constexpr const char* kBundles = "/run/oxydra/bundles";  // and its generated bundles
constexpr auto kExecTimeout = 300s;

// The docker driver's guest images (scripts/import-guest-images).
const std::string kDockerImages[] = {std::string(guest_images::kShellVmImage),
                                     std::string(guest_images::kOxydraVmImage)};

using testlib::images_dir;

std::string octal(unsigned mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%o", mode);
  return text;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : sep) + p;
  return out;
}

// The host's entries of /root and /home that the guest image does not have: if
// the guest can see one of them, it sees the host's.
std::string host_only_entries(const std::string& rootfs) {
  std::vector<std::string> out;
  for (const std::string dir : {"/root", "/home"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename();
      if (!fs::exists(fs::symlink_status(rootfs + dir + "/" + name)))
        out.push_back(dir + "/" + name);
    }
  }
  return join(out, ",");
}

class ConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    driver_ = GetParam();
    if (driver_ == "docker" && !std::getenv("DOCKER_HOST")) {
      GTEST_SKIP() << "no Docker daemon: .ci/run starts one with scripts/dockerd";
    }
    const std::string missing = missing_support();
    if (!missing.empty()) {
      OXYDRA_SKIP(missing);
    }
    user_ = "cf" + std::to_string(::getpid());
    other_user_ = "cfo" + std::to_string(::getpid());
    for (const char* kind : {"m", "l", "s", "y"})
      hostile_users_.push_back("cf" + std::string(kind) + std::to_string(::getpid()));
    secret_ = "sk-oxyconf-" + random_hex(16);
    write_configs();
  }

  bool micro_vm() const { return driver_ == "micro_vm"; }

  // Empty when the driver can run here, else why not.
  std::string missing_support() {
    const std::string images = images_dir();
    if (images.empty()) return "no guest images directory (OXYDRA_IMAGES_DIR)";
    if (micro_vm()) {
      if (::geteuid() != 0) return "the micro_vm tier needs root here (cgroups, the VMM's uid)";
      if (find_program("qemu-system-x86_64").empty())
        return "QEMU is not installed (scripts/install-deps installs qemu-system-x86)";
      for (const char* image : {"vmlinux", "initramfs.cpio.gz", "shell-vm.img", "oxydra-vm.img"}) {
        if (!fs::exists(images + "/micro_vm/" + image))
          return "no " + std::string(image) + " in " + images +
                 "/micro_vm (scripts/build-microvm-images)";
      }
      return {};
    }
    if (!fs::exists(images + "/container/shell-vm/usr/bin/bash") ||
        !fs::exists(images + "/container/oxydra-vm")) {
      return "no container guest images in " + images +
             "/container (build them with scripts/build-guest-rootfs)";
    }
    if (::geteuid() != 0) return "the container tier needs root here (" + driver_ + " driver)";
    if (driver_ == "oci") {
      if (find_program("runc").empty()) {
        return "runc is not installed (the oci driver's default runtime)";
      }
      return {};
    }
    const char* host_env = std::getenv("DOCKER_HOST");
    const std::string host = host_env != nullptr ? host_env : "";
    docker_ = find_program("docker");
    if (docker_.empty()) return "DOCKER_HOST is set but the docker client is not installed";
    if (auto info = docker({"info", "--format", "{{.ServerVersion}}"}); info.exit_code != 0) {
      return "DOCKER_HOST=" + host + " but no daemon answers: " + info.err;
    }
    for (const auto& image : kDockerImages) {
      if (docker({"image", "inspect", "--format", "{{.Id}}", image}).exit_code != 0) {
        return "image " + image + " is not in the daemon at " + host +
               " (import it with scripts/import-guest-images)";
      }
    }
    return {};
  }

  void TearDown() override {
    if (user_.empty()) return;
    runner({"stop"}, 60s);
    if (driver_ == "docker") {
      for (const char* role : {"shell-vm", "oxydra-vm"})
        docker({"rm", "--force", container(role)});
    }
    // A runner killed by the test leaves its guests' runc state: remove ours.
    const std::string runc = find_program("runc");
    for (const char* role : {"shell-vm", "oxydra-vm"}) {
      const std::string id = container(role);
      if (!runc.empty()) run_command({runc, "--root", kRuncRoot, "delete", "--force", id}, {}, 30s);
      std::error_code ec;
      fs::remove_all(std::string(kBundles) + "/" + id, ec);  // the runner leaves it (ours only)
    }
    if (runner_pid_ > 0 && process_alive(runner_pid_) && comm_of(runner_pid_) == "oxydra-runner") {
      ::kill(runner_pid_, SIGKILL);
    }
  }

  void write_configs() {
    std::string users = "[users." + user_ + "]\nconfig_path = \"user.toml\"\n\n";
    for (const auto& u : hostile_users_)
      users += "[users." + u + "]\nconfig_path = \"" + u + ".toml\"\n\n";
    // micro_vm: software emulation, as this machine kind's KVM cannot boot a guest.
    const std::string tier_section = micro_vm() ? "[micro_vm]\naccel = \"tcg\"\n"
                                                : "[container]\ndriver = \"" + driver_ + "\"\n";
    write_file(dir_.file("runner.toml"),
               "workspace_root = \"ws\"\ndefault_tier = \"" +
                   std::string(micro_vm() ? "micro_vm" : "container") + "\"\nimages_dir = \"" +
                   images_dir() + "\"\n\n" + users +
                   "[policy]\nshell_network = false\ncredential_envs = [\"" + kCredentialEnv +
                   "\"]\nmount_roots = [\"" + dir_.file("allowed") + "\"]\nsecrets_dir = \"" +
                   dir_.file("secrets") + "\"\negress_allow = [\"127.0.0.1:" +
                   std::to_string(allowed_service_.port()) + "\"]\n\n" + tier_section +
                   "\n[supervision]\nstartup_timeout_secs = 60\nstop_timeout_secs = 5\n");
    write_file(
        dir_.file("user.toml"),
        "agent_config = \"agent.toml\"\n\n[credential_refs]\nfake = \"env:" +
            std::string(kCredentialEnv) + "\"\n\n[resources]\nmax_vcpus = 1\nmax_memory_mib = " +
            std::to_string(kMaxMemoryMib) + "\nmax_processes = " + std::to_string(kMaxProcesses) +
            "\nmax_disk_mib = " + std::to_string(kMaxDiskMib) + "\n");
    write_file(dir_.file("agent.toml"),
               "provider = \"fake\"\n\n[providers.fake]\nbase_url = \"http://127.0.0.1:9/v1\"\n"
               "model = \"fake-model\"\ncredential = \"fake\"\nmax_retries = 0\n");

    // Hostile user configs (12): each must be refused before the runner
    // touches the host. The root-only secret must never be printed.
    fs::create_directories(dir_.file("allowed"));
    fs::create_directory_symlink("/etc", dir_.file("allowed/etc-link"));
    root_secret_ = "oxyconf-root-only-" + random_hex(12);
    write_file(dir_.file("root-secret"), root_secret_, 0600);
    const std::string secrets = dir_.file("secrets/" + hostile_users_[3]);
    fs::create_directories(secrets);
    fs::create_symlink(dir_.file("root-secret"), secrets + "/key");
    const std::string env_ref =
        "[credential_refs]\nfake = \"env:" + std::string(kCredentialEnv) + "\"\n";
    const std::string head = "agent_config = \"agent.toml\"\n";
    write_file(dir_.file(hostile_users_[0] + ".toml"),
               head + "[mounts]\nshared = \"/etc\"\n" + env_ref);
    write_file(dir_.file(hostile_users_[1] + ".toml"),
               head + "[mounts]\nshared = \"" + dir_.file("allowed/etc-link") + "\"\n" + env_ref);
    write_file(dir_.file(hostile_users_[2] + ".toml"),
               head + "[credential_refs]\nfake = \"file:" + dir_.file("root-secret") + "\"\n");
    write_file(dir_.file(hostile_users_[3] + ".toml"),
               head + "[credential_refs]\nfake = \"file:" + secrets + "/key\"\n");
  }

  // 12: every hostile user config is refused at start, names what it
  // refused, never prints the secret, and leaves /etc as it was.
  void probe_hostile_configs() {
    struct stat before {};
    ::stat("/etc", &before);
    const char* what[] = {"a mount override of /etc (outside the allowed roots)",
                          "a mount override through a symlink in the allowed root to /etc",
                          "a file: credential ref naming a root-only file",
                          "a file: credential ref through a symlink in the user's secrets dir"};
    for (std::size_t i = 0; i < hostile_users_.size(); ++i) {
      auto started = runner({"--user", hostile_users_[i], "start", "--detach"}, 60s);
      const std::string output = started.out + started.err;
      const bool refused = started.exit_code != 0;
      const bool leaked = output.find(root_secret_) != std::string::npos;
      std::string first_line = started.err.substr(0, started.err.find('\n'));
      add(12, refused && !leaked,
          std::string(what[i]) + ": " +
              (refused ? "start refused (" + first_line + ")" : "start succeeded") +
              (leaked ? "; the secret was printed" : ""));
      if (!refused) runner({"--user", hostile_users_[i], "stop"}, 60s);
    }
    struct stat after {};
    ::stat("/etc", &after);
    add(12,
        before.st_uid == after.st_uid && before.st_gid == after.st_gid &&
            before.st_mode == after.st_mode,
        "/etc owner " + std::to_string(after.st_uid) + ":" + std::to_string(after.st_gid) +
            ", mode unchanged after the hostile starts");
  }

  CommandResult runner(const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = 180s) {
    std::vector<std::string> argv = {testlib::bin_dir() + "/oxydra-runner", "--config",
                                     dir_.file("runner.toml")};
    // The hostile users' probes name theirs; everything else is the user's.
    if (std::find(args.begin(), args.end(), "--user") == args.end())
      argv.insert(argv.end(), {"--user", user_});
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {{kCredentialEnv, secret_}}, timeout);
  }

  nlohmann::json health() {
    auto result = runner({"status", "--json"});
    if (result.exit_code != 0) return nlohmann::json::object();
    auto json = nlohmann::json::parse(result.out, nullptr, false);
    return json.is_discarded() ? nlohmann::json::object() : json;
  }

  std::string container(const std::string& role) const { return "oxydra-" + user_ + "-" + role; }

  CommandResult docker(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {docker_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {}, 60s);
  }

  // The guest's cgroup below the pids/memory hierarchies: oci names it after
  // the container, Docker after the container's id (under CgroupParent /oxydra).
  std::string cgroup_of(const std::string& role) {
    if (driver_ != "docker") return "oxydra/" + container(role);
    auto id = docker({"inspect", "--format", "{{.Id}}", container(role)});
    std::string text = id.out.substr(0, id.out.find('\n'));
    return "oxydra/" + (text.empty() ? container(role) : text);
  }

  // The host pid of a docker guest's init (0 when it is not running).
  pid_t docker_init_pid(const std::string& role) {
    auto pid = docker({"inspect", "--format", "{{.State.Pid}}", container(role)});
    return pid.exit_code == 0 ? std::atoi(pid.out.c_str()) : 0;
  }
  std::string user_root() const { return dir_.path() + "/ws/" + user_; }

  // The processes of one guest: its cgroup (pids controller) and everything
  // below the runtime process the runner started for it.
  std::set<pid_t> guest_pids(const std::string& role, pid_t runtime_pid) {
    std::set<pid_t> pids = cgroup_procs("pids", cgroup_of(role));
    if (driver_ == "docker") {
      if (const pid_t init = docker_init_pid(role); init > 0) {
        for (pid_t p : descendants(init, true))
          pids.insert(p);
      }
    } else if (runtime_pid > 0) {
      for (pid_t p : descendants(runtime_pid, false))
        pids.insert(p);
    }
    return pids;
  }

  void probe_boundaries_from_the_host(const std::string& control_socket, pid_t runtime_pid,
                                      int blocked_port, const std::string& log_marker);

  void add(int property, bool pass, const std::string& detail) {
    rows_.push_back({property, pass ? "pass" : "fail", "host: " + detail});
  }
  void add_na(int property, const std::string& detail) {
    rows_.push_back({property, "n/a", "host: " + detail});
  }

  std::string driver_;
  std::string docker_;  // the docker client
  std::string user_, other_user_, secret_;
  std::vector<std::string> hostile_users_;  // 12: configs that must be refused
  std::string root_secret_;
  pid_t runner_pid_ = -1;
  std::vector<Row> rows_;
  testlib::TempDir dir_{"oxc"};
  LoopbackService allowed_service_;  // 14: the operator-allowed local service
  AbstractListener abstract_{"oxyconf-" + std::to_string(::getpid())};
};

TEST_P(ConformanceTest, ShellVmHoldsEveryProperty) {
  probe_hostile_configs();

  // Start the user on the driver's tier (no --insecure). QEMU runs as the
  // guest's uid: it must pass through the test's directory to the workspace.
  ::chmod(dir_.path().c_str(), 0711);
  auto started = runner({"start", "--detach"});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto h = health();
  ASSERT_TRUE(h.value("healthy", false)) << h.dump(2);
  ASSERT_EQ(h.value("sandbox_tier", ""), micro_vm() ? "micro_vm" : "container") << h.dump(2);
  // A docker guest has no runtime process of the runner's: its pid is null.
  auto pid_of = [&](const char* key) -> pid_t {
    return h.contains(key) && h[key].is_number_integer() ? h[key].get<pid_t>() : -1;
  };
  runner_pid_ = pid_of("runner_pid");
  // For docker, the shell-vm's own host pid is its init's (the probes must not reach it).
  const pid_t sidecar_pid =
      driver_ == "docker" ? docker_init_pid("shell-vm") : pid_of("sidecar_pid");
  const pid_t runtime_pid = pid_of("runtime_pid");
  const std::string control_socket = h.value("control_socket", "");

  // What the guest must not find: a marker in the vault, another user's
  // workspace with a marker, and the credential (in the runner's environment).
  const std::string vault_marker = "oxyconf-vault-" + random_hex(12);
  const std::string other_marker = "oxyconf-other-" + random_hex(12);
  ASSERT_TRUE(write_file(user_root() + "/vault/conformance-marker", vault_marker));
  const std::string other_root = dir_.path() + "/ws/" + other_user_;
  for (const char* sub : {"", "/shared", "/tmp", "/vault"})
    fs::create_directories(other_root + sub);
  ASSERT_TRUE(write_file(other_root + "/shared/notes.txt", other_marker));
  ASSERT_TRUE(write_file(other_root + "/vault/conformance-marker", other_marker));

  // The probe script, where the guest sees it as /shared/.conformance/probes.sh.
  const std::string probe_dir = user_root() + "/shared/.conformance";
  fs::create_directories(probe_dir);
  ::chmod(probe_dir.c_str(), 0755);
  ASSERT_TRUE(write_file(probe_dir + "/probes.sh", read_file(OXYDRA_CONFORMANCE_PROBES), 0755));

  // A TCP listener on every host address (7).
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 16), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);

  const std::string shell_rootfs = images_dir() + "/container/shell-vm";
  const std::string log_marker = "oxyconf-log-" + random_hex(8);
  std::vector<std::string> args = {
      "secret_hex=" + hex(secret_),
      "vault_hex=" + hex(vault_marker),
      "other_hex=" + hex(other_marker),
      "vault_path=" + user_root() + "/vault",
      "other_path=" + other_root,
      "control_socket=" + control_socket,
      "shadow_sha256=" + sha256_of_file("/etc/shadow"),
      "host_only=" + host_only_entries(shell_rootfs),
      "host_pids=" + std::to_string(runner_pid_) + "," + std::to_string(::getpid()) + "," +
          std::to_string(sidecar_pid),
      "host_pidns=" + fs::read_symlink("/proc/self/ns/pid").string(),
      "host_netns=" + fs::read_symlink("/proc/self/ns/net").string(),
      "port=" + std::to_string(port),
      "host_ips=" + join(host_ipv4_addresses(), ","),
      "max_processes=" + std::to_string(kMaxProcesses),
      "max_memory_mib=" + std::to_string(kMaxMemoryMib),
      "max_disk_mib=" + std::to_string(kMaxDiskMib),
      "abstract_name=" + abstract_.name(),
      "baseline15=" + syscall_baseline15(),
      "log_marker=" + log_marker,
      "host_boot_id=" + read_file("/proc/sys/kernel/random/boot_id").substr(0, 36),
  };
  auto exec_probes = [&](const std::string& which) {
    std::vector<std::string> argv = {"exec", "--", "bash", "/shared/.conformance/probes.sh",
                                     "probes=" + which};
    argv.insert(argv.end(), args.begin(), args.end());
    return runner(argv, kExecTimeout);
  };

  // 1-8 and 10 inside the guest; meanwhile the host reads the environment and
  // command line of every shell-vm process (5).
  std::atomic<bool> probing{true};
  std::set<pid_t> seen;
  std::vector<std::string> leaks;
  std::thread host_scan([&] {
    while (probing) {
      for (pid_t pid : guest_pids("shell-vm", sidecar_pid)) {
        for (const char* file : {"environ", "cmdline"}) {
          const std::string path = "/proc/" + std::to_string(pid) + "/" + file;
          if (read_file(path).find(secret_) != std::string::npos &&
              std::find(leaks.begin(), leaks.end(), path) == leaks.end()) {
            leaks.push_back(path + " (" + comm_of(pid) + ")");
          }
        }
        seen.insert(pid);
      }
      std::this_thread::sleep_for(100ms);
    }
  });
  auto main_probes = exec_probes("1,2,3,4,5,6,7,8,10,14,15,16,17,18");
  probing = false;
  host_scan.join();
  EXPECT_EQ(main_probes.exit_code, 0) << main_probes.err;
  for (const auto& r : parse_rows(main_probes.out))
    rows_.push_back(r);

  if (seen.empty()) {
    add_na(5, "no shell-vm process found to inspect");
  } else {
    add(5, leaks.empty(),
        leaks.empty() ? "environ and cmdline of " + std::to_string(seen.size()) +
                            " shell-vm processes (seen over the probe run) hold no credential"
                      : "credential in " + join(leaks, " "));
  }
  const std::string bundle = std::string(kBundles) + "/" + container("shell-vm") + "/config.json";
  const std::string bundle_text = read_file(bundle);
  if (driver_ == "docker") {
    auto inspected = docker({"inspect", container("shell-vm")});
    const bool clean = inspected.out.find(secret_) == std::string::npos;
    add(5, inspected.exit_code == 0 && clean,
        inspected.exit_code != 0 ? "docker inspect of shell-vm failed: " + inspected.err
        : clean ? "docker inspect of shell-vm (env, cmd, mounts) holds no credential"
                : "docker inspect of shell-vm holds the credential");
  } else if (micro_vm()) {
    // The VM's whole configuration is QEMU's command line (kernel arguments included).
    for (const pid_t vmm : {sidecar_pid, runtime_pid}) {
      const std::string cmdline = read_file("/proc/" + std::to_string(vmm) + "/cmdline");
      add(5, !cmdline.empty() && cmdline.find(secret_) == std::string::npos,
          cmdline.empty() ? "no command line for VMM pid " + std::to_string(vmm)
                          : "QEMU command line of pid " + std::to_string(vmm) +
                                " (kernel arguments included) holds no credential");
    }
  } else if (bundle_text.empty()) {
    add_na(5, "no OCI bundle at " + bundle);
  } else {
    add(5, bundle_text.find(secret_) == std::string::npos,
        "shell-vm OCI config " + bundle +
            (bundle_text.find(secret_) == std::string::npos ? " holds no credential"
                                                            : " holds the credential"));
  }
  {
    sockaddr_in peer{};
    socklen_t peer_len = sizeof peer;
    const int accepted = ::accept(listener, reinterpret_cast<sockaddr*>(&peer), &peer_len);
    const int accept_errno = errno;
    add(7, accepted < 0 && (accept_errno == EAGAIN || accept_errno == EWOULDBLOCK),
        accepted < 0 ? "the listener on port " + std::to_string(port) + " got no connection"
                     : "the listener on port " + std::to_string(port) + " accepted a connection");
    if (accepted >= 0) ::close(accepted);
    ::close(listener);
  }

  // The host's side of 13, 14, 16, 17 and 18.
  probe_boundaries_from_the_host(control_socket, runtime_pid, port, log_marker);

  // 9: the fork bomb and the memory hog, while the host's fork+exec latency is
  // sampled.
  auto trimmed = [](std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
      s.pop_back();
    return s.empty() ? std::string("?") : s;
  };
  const std::string shell_cgroup = cgroup_of("shell-vm");
  const auto pids_max = trimmed(read_file("/sys/fs/cgroup/pids/" + shell_cgroup + "/pids.max"));
  const auto mem_max =
      trimmed(read_file("/sys/fs/cgroup/memory/" + shell_cgroup + "/memory.limit_in_bytes"));
  if (micro_vm()) {
    // The guest's memory is the VM's; its processes are bounded by the guest
    // kernel (RLIMIT_NPROC); the VMM itself by its own cgroup.
    std::string argv = read_file("/proc/" + std::to_string(sidecar_pid) + "/cmdline");
    std::replace(argv.begin(), argv.end(), '\0', ' ');
    const bool memory =
        argv.find("oxydra.memory_mib=" + std::to_string(kMaxMemoryMib)) != std::string::npos;
    const bool nproc =
        argv.find("oxydra.max_processes=" + std::to_string(kMaxProcesses)) != std::string::npos;
    add(9, memory && nproc && std::atoll(mem_max.c_str()) > kMaxMemoryMib * 1024LL * 1024LL,
        std::string("shell-vm VM: ") + (memory ? "" : "no ") + "oxydra.memory_mib=" +
            std::to_string(kMaxMemoryMib) + " (the guest cgroup's memory.max), " +
            (nproc ? "" : "no ") + "oxydra.max_processes=" + std::to_string(kMaxProcesses) +
            "; the VMM's cgroup memory.limit_in_bytes " + mem_max + ", pids.max " + pids_max);
  } else {
    add(9,
        std::atoi(pids_max.c_str()) == kMaxProcesses &&
            std::atoll(mem_max.c_str()) == kMaxMemoryMib * 1024LL * 1024LL,
        "shell-vm cgroup pids.max " + pids_max + ", memory.limit_in_bytes " + mem_max);
  }
  std::atomic<bool> stressing{true};
  std::chrono::milliseconds worst{0};
  int samples = 0;
  std::thread sampler([&] {
    while (stressing) {
      worst = std::max(worst, spawn_latency());
      ++samples;
      std::this_thread::sleep_for(20ms);
    }
  });
  auto stress = exec_probes("9");
  stressing = false;
  sampler.join();
  EXPECT_EQ(stress.exit_code, 0) << stress.err;
  for (const auto& r : parse_rows(stress.out))
    rows_.push_back(r);
  add(9, worst < 2000ms,
      "host fork+exec latency under the bomb and the hog: worst " + std::to_string(worst.count()) +
          " ms over " + std::to_string(samples) + " samples (limit 2000 ms)");
  auto after = runner({"exec", "--", "true"}, 60s);
  add(9, after.exit_code == 0,
      after.exit_code == 0 ? "shell-vm still serves exec after the hog"
                           : "exec after the hog failed: " + after.err);

  // 11: kill -9 of the runner; every guest process must be gone within 10 s.
  std::set<pid_t> guests = guest_pids("shell-vm", sidecar_pid);
  for (pid_t p : guest_pids("oxydra-vm", runtime_pid))
    guests.insert(p);
  std::set<pid_t> tree = descendants(runner_pid_, false);
  if (guests.empty() || runner_pid_ <= 0) {
    add_na(11,
           "no guest process or runner pid found (runner pid " + std::to_string(runner_pid_) + ")");
  } else {
    for (pid_t p : tree)
      guests.insert(p);
    const auto killed_at = std::chrono::steady_clock::now();
    ::kill(runner_pid_, SIGKILL);
    std::vector<pid_t> alive;
    do {
      std::this_thread::sleep_for(50ms);
      alive.clear();
      for (pid_t p : guests) {
        if (process_alive(p)) alive.push_back(p);
      }
    } while (!alive.empty() && std::chrono::steady_clock::now() - killed_at < 10s);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - killed_at);
    std::string survivors;
    for (pid_t p : alive)
      survivors += std::to_string(p) + "(" + comm_of(p) + ") ";
    add(11, alive.empty(),
        alive.empty()
            ? "all " + std::to_string(guests.size()) + " guest and runtime processes gone " +
                  std::to_string(took.count()) + " ms after kill -9 of the runner"
            : "still alive 10 s after kill -9 of the runner: " + survivors);
  }

  std::cout << format_table(driver_, rows_) << std::flush;
  for (int property = 1; property <= 18; ++property) {
    std::vector<std::string> problems;
    int count = 0;
    for (const auto& r : rows_) {
      if (r.property != property) continue;
      ++count;
      if (r.verdict != "pass") problems.push_back(r.verdict + ": " + r.detail);
    }
    EXPECT_TRUE(count > 0 && problems.empty())
        << "property " << property << ": "
        << (count == 0 ? "no probe reported (raw output: " + main_probes.out + stress.out + ")"
                       : join(problems, "; "));
  }
}

void ConformanceTest::probe_boundaries_from_the_host(const std::string& control_socket,
                                                     pid_t runtime_pid, int blocked_port,
                                                     const std::string& log_marker) {
  struct stat shared {};
  ::stat((user_root() + "/shared").c_str(), &shared);
  const uid_t guest_uid = shared.st_uid;  // the runner gives shared/ to the guest's host uid

  // 13: the runner's sockets and their directories are root's, and the guest
  // uid gets no answer from the control socket.
  for (const std::string& path :
       {control_socket, user_root() + "/ipc/egress/egress.sock", user_root() + "/ipc/shell"}) {
    if (path.empty()) continue;
    rows_.push_back(path.find("/ipc/shell") != std::string::npos
                        ? runner_owned(user_root() + "/ipc/.")
                        : runner_owned(path));
  }
  {
    struct stat ipc {};
    ::stat((user_root() + "/ipc").c_str(), &ipc);
    add(13, ipc.st_uid == 0 && (ipc.st_mode & 0022) == 0,
        "ipc/ (where the bootstrap socket is made) is root's, mode " + octal(ipc.st_mode & 0777));
  }
  for (const auto& row : probe_control_socket_as(guest_uid, control_socket))
    rows_.push_back(row);

  // 14: from oxydra-vm's network namespace, as its uid.
  const pid_t vm_root = driver_ == "docker" ? docker_init_pid("oxydra-vm") : runtime_pid;
  const pid_t vm = micro_vm() ? runtime_pid : find_process(vm_root, "oxydra-vm");
  if (micro_vm()) {
    // A VM's only device to the outside would be a network device on QEMU's
    // command line; without one, the VM link is the guest's only way out.
    for (const std::string role : {"shell-vm", "oxydra-vm"}) {
      const auto procs = cgroup_procs("pids", cgroup_of(role));
      if (procs.empty()) {
        add_na(14, "no VMM process in " + cgroup_of(role));
        continue;
      }
      const pid_t vmm = *procs.begin();
      std::string argv = read_file("/proc/" + std::to_string(vmm) + "/cmdline");
      std::replace(argv.begin(), argv.end(), '\0', ' ');
      bool device = false;
      for (const char* flag : {" -netdev ", " -nic ", " -net ", "virtio-net"})
        device = device || argv.find(flag) != std::string::npos;
      add(14, !argv.empty() && !device,
          role + " VM (QEMU pid " + std::to_string(vmm) + "): " +
              (device ? "has a network device" : "no network device on QEMU's command line"));
    }
  } else if (vm <= 0) {
    add_na(14, "no oxydra-vm process found");
  } else {
    // The guest reaches the proxy through its bind mount; this probe runs on
    // the host as the guest's uid, which must pass the test's own directories.
    ::chmod(dir_.path().c_str(), 0711);
    ::chmod((dir_.path() + "/ws").c_str(), 0711);
    NetworkTargets targets{blocked_port, allowed_service_.port(), host_ipv4_addresses(),
                           abstract_.name(), user_root() + "/ipc/egress/egress.sock"};
    for (const auto& row : probe_guest_network(vm, guest_uid, targets))
      rows_.push_back(row);
  }

  // 16: what the guest wrote went into its images, which never take more of
  // the host's disk than the allowance (sparse files, allocated blocks
  // counted), so the host's free space is untouched beyond it.
  for (const char* image : {"shared.img", "tmp.img"}) {
    struct stat st {};
    const std::string path = user_root() + "/disk/" + image;
    const bool present = ::stat(path.c_str(), &st) == 0;
    add(16,
        present && st.st_size == kMaxDiskMib * (1LL << 20) &&
            st.st_blocks * 512 <= kMaxDiskMib * (1LL << 20),
        present ? path + ": " + std::to_string(st.st_size >> 20) + " MiB ext4 image, " +
                      std::to_string(st.st_blocks * 512 >> 20) + " MiB allocated"
                : path + " missing");
  }

  // 17: the guest's escapes reach neither `logs` nor the log files raw.
  auto logs = runner({"logs", "--role", "all", "--tail", "0"}, 60s);
  const bool marker_seen = logs.out.find(log_marker) != std::string::npos;
  const bool raw =
      logs.out.find('\x1b') != std::string::npos || logs.out.find("\xc2\x9b") != std::string::npos;
  add(17, marker_seen && !raw,
      marker_seen ? (raw ? "`logs` printed raw terminal control bytes"
                         : "`logs` shows the guest's escapes as text (\\x1b, \\u{9b})")
                  : "the marker never reached `logs`");
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(user_root() + "/logs", ec)) {
    const std::string text = read_file(entry.path());
    if (text.find(log_marker) == std::string::npos) continue;
    add(17, text.find('\x1b') == std::string::npos,
        entry.path().filename().string() + " holds the marker line with its escapes as text");
  }

  // 18: oxydra-vm holds the key: not dumpable, no core.
  for (const auto& row : probe_not_dumpable(vm, guest_uid, "oxydra-vm"))
    rows_.push_back(row);
}

INSTANTIATE_TEST_SUITE_P(Drivers, ConformanceTest, ::testing::Values("oci", "docker", "micro_vm"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace oxydra::conformance
