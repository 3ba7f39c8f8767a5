// The microVM boot images (scripts/build-microvm-images) boot for real: QEMU's
// microvm machine under software emulation (this machine kind's KVM cannot
// boot a stock guest: ../shared/design/tiers.md), direct kernel boot of the
// uncompressed vmlinux, the initramfs's /init loading the virtio modules and
// seeing a virtio-serial port. No timing is asserted; docs/benchmarks.md has
// the figures.

#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "backends/micro_vm/qemu_command.h"
#include "oxydra/testlib/child_process.h"
#include "oxydra/testlib/frame_client.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "oxydra/testlib/run_command.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra {
namespace {

using namespace std::chrono_literals;

std::string qemu() {
  for (const char* path : {"/usr/bin/qemu-system-x86_64", "/usr/local/bin/qemu-system-x86_64"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(MicroVmBoot, TheProjectKernelAndInitramfsBootUnderQemuMicrovm) {
  const std::string dir = testlib::images_dir() + "/micro_vm";
  OXYDRA_SKIP_UNLESS(!qemu().empty(), "qemu-system-x86_64 is not installed (scripts/install-deps)");
  OXYDRA_SKIP_UNLESS(::access((dir + "/vmlinux").c_str(), R_OK) == 0,
                     "no microVM kernel in " + dir + " (scripts/build-microvm-images)");
  const std::string release = read_line(dir + "/kernel.release");
  testlib::TempDir work("oxmv");
  runner::QemuGuest guest;
  guest.qemu = qemu();
  guest.kernel = dir + "/vmlinux";
  guest.initramfs = dir + "/initramfs.cpio.gz";
  guest.host_mhz = runner::host_cpu_mhz();
  guest.kernel_args = "oxydra.probe=1";
  guest.ports.push_back({"org.oxydra.probe", work.file("probe.sock")});
  auto booted = testlib::run_command(runner::qemu_argv(guest), {}, 120s);
  ASSERT_FALSE(booted.timed_out) << booted.out << booted.err;
  EXPECT_EQ(booted.exit_code, 0) << booted.err;
  EXPECT_NE(booted.out.find("oxydra-initramfs: up "), std::string::npos) << booted.out;
  EXPECT_NE(booted.out.find("kernel " + release), std::string::npos) << booted.out;
  EXPECT_NE(booted.out.find("ports 1"), std::string::npos) << "no virtio-serial port:\n"
                                                           << booted.out;
  EXPECT_EQ(booted.out.find("insmod"), std::string::npos) << "a module failed to load:\n"
                                                          << booted.out;
  utsname host{};
  ::uname(&host);
  EXPECT_NE(release, host.release) << "the guest must run its own kernel";
}

// shell-vm as a VM, from the runner's QEMU command line (qemu_command.h): its read-only root disk
// (the container image's tree in ext4; the tree itself over 9p when no disk was built), the user's
// shared/ and tmp/ as 9p shares, the shell daemon serving the virtio-serial port org.oxydra.shell
// as uid 1000; the host speaks the shell RPC through QEMU's chardev socket, as oxydra-vm will.
TEST(MicroVmBoot, ShellVmServesTheShellRpcOverVirtioSerial) {
  const std::string dir = testlib::images_dir() + "/micro_vm";
  const std::string rootfs = testlib::images_dir() + "/container/shell-vm";
  OXYDRA_SKIP_UNLESS(!qemu().empty(), "qemu-system-x86_64 is not installed (scripts/install-deps)");
  OXYDRA_SKIP_UNLESS(::access((dir + "/vmlinux").c_str(), R_OK) == 0,
                     "no microVM kernel in " + dir + " (scripts/build-microvm-images)");
  OXYDRA_SKIP_UNLESS(::access((rootfs + "/opt/oxydra/bin/shell-daemon").c_str(), X_OK) == 0,
                     "no shell-vm tree in " + rootfs + " (scripts/build-guest-rootfs)");
  OXYDRA_SKIP_UNLESS(::geteuid() == 0, "QEMU's 9p passthrough of the shares needs root here");
  testlib::TempDir work("oxmv");
  for (const char* share : {"shared", "tmp"}) {
    std::filesystem::create_directories(work.file(share));
    ASSERT_EQ(::chown(work.file(share).c_str(), 1000, 1000), 0);
  }
  const std::string socket = work.file("shell.sock");
  // The runner's own command line for a guest: QEMU confined by -sandbox,
  // 9p shares with mapped-xattr (the host files stay QEMU's uid's).
  runner::QemuGuest guest;
  guest.qemu = qemu();
  guest.kernel = dir + "/vmlinux";
  guest.initramfs = dir + "/initramfs.cpio.gz";
  guest.memory_mib = 512;
  guest.host_mhz = runner::host_cpu_mhz();
  guest.kernel_args = "oxydra.role=shell-vm";
  if (::access((dir + "/shell-vm.img").c_str(), R_OK) == 0) {
    guest.root_disk = dir + "/shell-vm.img";
  } else {
    guest.shares.push_back({"root", rootfs, true});
  }
  guest.shares.push_back({"shared", work.file("shared"), false});
  guest.shares.push_back({"tmp", work.file("tmp"), false});
  guest.ports.push_back({"org.oxydra.shell", socket});
  const std::vector<std::string> argv = runner::qemu_argv(guest);
  testlib::ChildProcess vm;
  ASSERT_TRUE(vm.start(argv, work.file("console.log")));
  ASSERT_TRUE(testlib::wait_for_path(socket, 30s)) << vm.log();
  auto client = testlib::FrameClient::connect_unix(socket, 30s);
  ASSERT_TRUE(client) << client.error().message;
  auto hello = client->request(
      "hello", {{"request_id", "h"}, {"protocol_version", 1}, {"client", "test"}}, 120s);
  ASSERT_TRUE(hello) << vm.log();
  EXPECT_EQ(hello->op, "hello");
  auto session = client->request("spawn_session", {{"request_id", "s"}});
  ASSERT_TRUE(session && session->op == "spawn_session") << vm.log();
  const std::string id = session->payload.value("session_id", "");
  ASSERT_TRUE(client->send("exec_command",
                           {{"request_id", "e"},
                            {"session_id", id},
                            {"command", "uname -r; id -u; echo from-the-vm > /shared/marker; ls /"},
                            {"stream", true}}));
  std::string output;
  std::optional<Message> done;
  while (auto message = client->recv(120s)) {
    if (message->op == "output") output += message->payload.value("data", "");
    if (message->op == "exec_command") {
      done = message;
      break;
    }
  }
  ASSERT_TRUE(done) << output << vm.log();
  EXPECT_EQ(done->payload.value("exit_code", -1), 0) << output;
  EXPECT_NE(output.find(read_line(dir + "/kernel.release") + "\n1000\n"), std::string::npos)
      << "the guest's kernel and uid 1000:\n"
      << output;
  EXPECT_EQ(output.find("\nwork\n"), std::string::npos) << "the host's root is visible:\n"
                                                        << output;
  EXPECT_EQ(read_line(work.file("shared/marker")), "from-the-vm");
  // mapped-xattr: the guest's uid 1000 lives in an xattr; on the host the
  // file is QEMU's, never the host's uid 1000.
  struct stat marker {};
  ASSERT_EQ(::stat(work.file("shared/marker").c_str(), &marker), 0);
  EXPECT_EQ(marker.st_uid, ::geteuid());
  client->close();
  vm.signal(SIGKILL);
  EXPECT_TRUE(vm.wait(30s));
}

// oxydra-vm as a VM: its own root disk, the user's directories as 9p shares
// under /workspace, and the bootstrap envelope on its own virtio-serial port
// (never on the kernel command line or a disk): it reads it, opens its SQLite
// memory over 9p and serves its gateway.
TEST(MicroVmBoot, OxydraVmReadsItsEnvelopeFromItsOwnPort) {
  const std::string dir = testlib::images_dir() + "/micro_vm";
  OXYDRA_SKIP_UNLESS(!qemu().empty(), "qemu-system-x86_64 is not installed (scripts/install-deps)");
  OXYDRA_SKIP_UNLESS(::access((dir + "/oxydra-vm.img").c_str(), R_OK) == 0,
                     "no oxydra-vm disk in " + dir +
                         " (scripts/build-guest-rootfs, then scripts/build-microvm-images)");
  testlib::TempDir work("oxmv");
  runner::QemuGuest guest;
  guest.qemu = qemu();
  guest.kernel = dir + "/vmlinux";
  guest.initramfs = dir + "/initramfs.cpio.gz";
  guest.root_disk = dir + "/oxydra-vm.img";
  guest.memory_mib = 512;
  guest.host_mhz = runner::host_cpu_mhz();
  guest.kernel_args = "oxydra.role=oxydra-vm";
  for (const char* share : {"shared", "tmp", "vault", "internal"}) {
    std::filesystem::create_directories(work.file(share));
    ASSERT_EQ(::chown(work.file(share).c_str(), 1000, 1000), 0);
    guest.shares.push_back({share, work.file(share), false});
  }
  const std::string bootstrap = work.file("bootstrap.sock");
  guest.ports.push_back({"org.oxydra.bootstrap", bootstrap});
  testlib::ChildProcess vm;
  ASSERT_TRUE(vm.start(runner::qemu_argv(guest), work.file("console.log")));
  ASSERT_TRUE(testlib::wait_for_path(bootstrap, 30s)) << vm.log();
  auto port = testlib::FrameClient::connect_unix(bootstrap, 30s);
  ASSERT_TRUE(port) << port.error().message;

  const std::string secret = "sk-oxydra-microvm-test";
  const nlohmann::json envelope = {
      {"protocol_version", 1},
      {"user_id", "alice"},
      {"sandbox_tier", "micro_vm"},
      {"workspace_root", "/workspace"},
      {"runtime_policy", {{"credential_refs", {{"llm", "env:LLM_API_KEY"}}}}},
      {"credentials", {{"llm", secret}}},
      {"agent_config",
       {{"provider", "fake"},
        {"providers",
         {{"fake",
           {{"api", "openai_chat"},
            {"base_url", "http://127.0.0.1:9/v1"},
            {"model", "fake-model"},
            {"credential", "llm"}}}}}}},
      {"gateway", {{"transport", "unix"}, {"address", "/workspace/ipc/gateway/gateway.sock"}}},
      {"startup_status",
       {{"sandbox_tier", "micro_vm"},
        {"sidecar_available", false},
        {"shell_available", false},
        {"browser_available", false},
        {"degraded_reasons",
         {{{"code", "sidecar_unavailable"}, {"detail", "no shell-vm here"}}}}}}};
  ASSERT_TRUE(port->send_payload(envelope.dump()));

  std::string console;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    console = vm.log();
    if (console.find("gateway listening on /workspace/ipc/gateway/gateway.sock") !=
            std::string::npos ||
        !vm.running()) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(console.find("oxydra-vm for user alice: tier micro_vm"), std::string::npos) << console;
  EXPECT_NE(console.find("gateway listening on /workspace/ipc/gateway/gateway.sock"),
            std::string::npos)
      << console;
  EXPECT_EQ(console.find(secret), std::string::npos) << "the credential reached the console";
  EXPECT_TRUE(std::filesystem::exists(work.file("internal/memory.db")));
  vm.signal(SIGKILL);
  EXPECT_TRUE(vm.wait(30s));
}

}  // namespace
}  // namespace oxydra
