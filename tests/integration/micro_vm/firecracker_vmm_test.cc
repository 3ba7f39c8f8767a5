// The firecracker driver against fake_firecracker (a peer speaking
// Firecracker's documented API and vsock handshake byte for byte): it starts
// the VMM confined, configures it in the documented order, starts it, and
// reaches the guest's VM link through "CONNECT 1024" — retrying while no guest
// listens — until the guest's hello arrives. Never run against a real
// Firecracker: this machine kind has no usable KVM (docs/tiers.md).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backends/micro_vm/firecracker_vmm.h"
#include "backends/micro_vm/host_link.h"
#include "oxydra/testlib/paths.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

class FirecrackerDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* image : {"vmlinux", "initramfs.cpio.gz", "shell-vm.img", "oxydra-vm.img"}) {
      fs::create_directories(dir_.file("images/micro_vm"));
      std::ofstream(dir_.file("images/micro_vm/") + image) << "image";
    }
    fs::create_directories(dir_.file("run"));
    runner_.images_dir = dir_.file("images");
    runner_.micro_vm.vmm = MicroVmm::firecracker;
    runner_.micro_vm.firecracker = testlib::bin_dir() + "/fake-firecracker";
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  VmSpec spec() const {
    VmSpec s;
    s.role = GuestRole::sidecar;
    s.name = "oxydra-alice-shell-vm";
    s.run_dir = dir_.file("run");
    s.root_disk = dir_.file("images/micro_vm/shell-vm.img");
    s.accel = "kvm";
    s.uid = ::getuid();
    s.vcpus = 2;
    s.memory_mib = 192;
    s.kernel_args = "oxydra.role=shell-vm";
    return s;
  }

  testlib::TempDir dir_{"oxfc"};
  RunnerConfig runner_;
  pid_t pid_ = -1;
};

TEST_F(FirecrackerDriver, ConfiguresStartsAndReachesTheGuestLinkThroughTheHandshake) {
  auto vmm = FirecrackerVmm::locate(runner_);
  ASSERT_TRUE(vmm) << vmm.error().message;
  EXPECT_EQ((*vmm)->version(), "Firecracker v1.7.0 (oxydra test peer)");
  EXPECT_EQ((*vmm)->choose_accel(VmAccel::tcg).accel, "kvm");
  auto started = (*vmm)->start(spec());
  ASSERT_TRUE(started) << started.error().message;
  pid_ = started->pid;
  EXPECT_EQ(started->link.transport, ChannelTransport::firecracker_vsock);
  EXPECT_EQ(started->link.path, dir_.file("run/vsock.sock"));
  EXPECT_EQ(started->link.port, kLinkVsockPort);

  auto link = HostLink::connect(started->link, vmlink::LinkOptions{}, 20s, {});
  ASSERT_TRUE(link) << link.error().message;
  auto hello = (*link)->wait_hello(20s, {});
  ASSERT_TRUE(hello) << hello.error().message;
  EXPECT_NE(hello->find("kernel=fake-firecracker-guest"), std::string::npos) << *hello;

  const std::string log = read_all(dir_.file("run/peer.log"));
  EXPECT_NE(log.find("argv: --api-sock " + dir_.file("run/firecracker.sock") +
                     " --id oxydra-alice-shell-vm\n"),
            std::string::npos)
      << log;
  // The documented order, each a PUT with a JSON body.
  std::size_t at = 0;
  for (const char* call :
       {"PUT /machine-config HTTP/1.1\r\n", "PUT /boot-source HTTP/1.1\r\n",
        "PUT /drives/root HTTP/1.1\r\n", "PUT /vsock HTTP/1.1\r\n", "PUT /actions HTTP/1.1\r\n"}) {
    const auto found = log.find(call, at);
    ASSERT_NE(found, std::string::npos) << call << " missing or out of order:\n" << log;
    at = found;
  }
  EXPECT_NE(log.find("{\"mem_size_mib\":192,\"vcpu_count\":2}"), std::string::npos) << log;
  EXPECT_NE(log.find("\"is_read_only\":true,\"is_root_device\":true"), std::string::npos) << log;
  EXPECT_NE(log.find("oxydra.link=vsock:1024 oxydra.role=shell-vm"), std::string::npos) << log;
  EXPECT_NE(log.find("{\"action_type\":\"InstanceStart\"}"), std::string::npos) << log;
  // The first CONNECT found no guest and was retried.
  const auto first = log.find("vsock: CONNECT 1024\n");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_NE(log.find("vsock: CONNECT 1024\n", first + 1), std::string::npos) << log;
}

TEST_F(FirecrackerDriver, AGuestWithSharesIsRefusedWithTheReason) {
  auto vmm = FirecrackerVmm::locate(runner_);
  ASSERT_TRUE(vmm) << vmm.error().message;
  VmSpec with_shares = spec();
  with_shares.shares.push_back({"shared", dir_.file("shared"), false});
  auto started = (*vmm)->start(with_shares);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::tier_unavailable);
  EXPECT_NE(started.error().message.find("no file-sharing device"), std::string::npos)
      << started.error().message;
}

TEST_F(FirecrackerDriver, NoFirecrackerNamesTheProgramAndTheAlternative) {
  runner_.micro_vm.firecracker = "/nonexistent/firecracker";
  auto vmm = FirecrackerVmm::locate(runner_);
  ASSERT_FALSE(vmm);
  EXPECT_EQ(vmm.error().code, ErrorCode::tier_unavailable);
  EXPECT_NE(vmm.error().message.find("vmm = \"qemu\""), std::string::npos) << vmm.error().message;
}

}  // namespace
}  // namespace oxydra::runner
