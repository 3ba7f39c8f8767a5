// 200 start/stop cycles of one user's pair on the container tier (oci), with
// the real runner, runc and guests: afterwards the host has the same number of
// processes, mounts, loop devices, cgroups and runc containers as after a
// warm-up, and the user's workspace the same files (logs aside): nothing a
// start leaves behind accumulates (docs/reliability.md).

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/paths.h"
#include "runner_fixture.h"

namespace oxydra::runner_test {
namespace {

namespace fs = std::filesystem;

constexpr int kCycles = 200;

int count_entries(const std::string& dir, bool recursive, const std::string& skip = "") {
  int n = 0;
  std::error_code ec;
  if (!recursive) {
    for (auto it = fs::directory_iterator(dir, ec); it != fs::end(it); it.increment(ec))
      ++n;
    return n;
  }
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::end(it); it.increment(ec)) {
    if (!skip.empty() && it->path().filename() == skip) {
      it.disable_recursion_pending();
      continue;
    }
    ++n;
  }
  return n;
}

struct HostCounts {
  int processes = 0, mounts = 0, loops = 0, cgroups = 0, runc = 0, workspace = 0;
  bool operator==(const HostCounts&) const = default;
};

std::ostream& operator<<(std::ostream& out, const HostCounts& c) {
  return out << "the user's processes " << c.processes << ", mounts " << c.mounts
             << ", loop devices " << c.loops << ", cgroups " << c.cgroups << ", runc containers "
             << c.runc << ", workspace entries " << c.workspace;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Only what belongs to this test's user counts: other suites run beside it.
class Cycles : public RunnerFixture {
 protected:
  HostCounts counts() {
    HostCounts c;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
      const std::string name = entry.path().filename();
      if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
      if (read_all(entry.path() / "cgroup").find("oxydra-alice-") != std::string::npos ||
          read_all(entry.path() / "cmdline").find(config_path()) != std::string::npos)
        ++c.processes;
    }
    for (const auto& line : lines_of("/proc/self/mountinfo")) {
      if (line.find(user_root()) != std::string::npos) ++c.mounts;
    }
    for (const auto& entry : fs::directory_iterator("/sys/block", ec)) {
      if (read_all(entry.path() / "loop/backing_file").find(user_root()) != std::string::npos)
        ++c.loops;
    }
    for (const char* dir : {"/sys/fs/cgroup/pids/oxydra", "/run/oxydra/runc"}) {
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().filename().string().rfind("oxydra-alice-", 0) == 0)
          ++(std::string(dir).find("runc") != std::string::npos ? c.runc : c.cgroups);
      }
    }
    c.workspace = count_entries(user_root(), true, "logs");
    return c;
  }
  static std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
      out.push_back(line);
    return out;
  }
};

TEST_F(Cycles, TwoHundredStartStopCyclesLeaveNothingBehind) {
  if (::geteuid() != 0 || ::access("/usr/sbin/runc", X_OK) != 0 ||
      !fs::exists(fs::path(testlib::images_dir()) /
                  "container/shell-vm/opt/oxydra/bin/shell-daemon")) {
    OXYDRA_SKIP("needs root, runc and the guest images (scripts/build-guest-rootfs)");
  }
  ConfigOptions options;
  options.runner_top = "images_dir = \"" + testlib::images_dir() + "\"\n";
  write_config(options);
  auto cycle = [&] {
    auto started = runner({"start", "--detach"});
    ASSERT_EQ(started.exit_code, 0) << started.err;
    auto stopped = runner({"stop"});
    ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  };
  for (int i = 0; i < 3; ++i)
    cycle();
  std::this_thread::sleep_for(500ms);
  const HostCounts before = counts();
  for (int i = 0; i < kCycles; ++i) {
    cycle();
    if (HasFatalFailure()) return;
  }
  std::this_thread::sleep_for(500ms);
  const HostCounts after = counts();
  EXPECT_EQ(after, before) << "before: " << before << "\nafter " << kCycles << " cycles: " << after;
}

}  // namespace
}  // namespace oxydra::runner_test
