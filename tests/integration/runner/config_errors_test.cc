// Configuration and credential errors: one "error:" line naming the file and
// key (or the credential ref), the right exit status, never a secret.

#include <fstream>

#include "runner_fixture.h"

namespace oxydra::runner_test {
namespace {

class ConfigErrors : public RunnerFixture {};

TEST_F(ConfigErrors, BadRunnerKeyNamesFileAndKey) {
  std::ofstream(config_path(), std::ios::app) << "\n[container]\ndrivr = \"oci\"\n";
  auto result = runner({"--insecure", "start"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("error: " + config_path() + ": container.drivr: "), std::string::npos)
      << result.err;
  auto status = runner({"status"});
  EXPECT_EQ(status.exit_code, 2);
}

TEST_F(ConfigErrors, BadUserKeyNamesTheUsersFile) {
  ConfigOptions options;
  options.user_extra = "[resources]\nmax_vcpus = 99\n";
  write_config(options);
  auto result = runner({"--insecure", "start"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("alice.toml"), std::string::npos) << result.err;
}

TEST_F(ConfigErrors, MissingConfigAndUnknownUserHaveHints) {
  auto missing = run_command(
      {testlib::bin_dir() + "/oxydra-runner", "--config", file("absent.toml"), "status"}, {}, 60s);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("error: cannot read " + file("absent.toml")), std::string::npos)
      << missing.err;
  auto unknown = runner({"--user", "bob", "status"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("user bob is not configured"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("hint: "), std::string::npos);
}

TEST_F(ConfigErrors, MissingCredentialNamesTheRefAndStartsNothing) {
  ConfigOptions options;
  options.credential_ref = "env:OXY_RUNNER_TEST_UNSET_KEY";
  write_config(options);
  auto result = runner({"--insecure", "start", "--detach"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("credential fake (env:OXY_RUNNER_TEST_UNSET_KEY)"), std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find(kSecret), std::string::npos);
  EXPECT_EQ(runner({"status"}).exit_code, 3);
}

// An unavailable tier's hint names the next stronger tier that works, never
// the process tier first: here the micro_vm tier without its VMM.
TEST_F(ConfigErrors, UnavailableMicroVmTierPointsToTheContainerTier) {
  ConfigOptions options;
  options.user_extra = "\n[behavior]\nsandbox_tier = \"micro_vm\"\n";
  options.runner_extra = "[micro_vm]\nqemu = \"/nonexistent/qemu-system-x86_64\"\n";
  write_config(options);
  auto result = runner({"start", "--detach"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("QEMU '/nonexistent/qemu-system-x86_64' not found"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("hint: the container tier works here"), std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("--insecure"), std::string::npos) << result.err;
}

TEST_F(ConfigErrors, ContainerTierWithoutImagesSaysHowToBuildThem) {
  ConfigOptions options;
  options.runner_top = "images_dir = \"no-images-here\"\n";
  write_config(options);
  auto result = runner({"start"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no-images-here/container/shell-vm is missing"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("hint: build the guest images once with scripts/build-guest-rootfs"),
            std::string::npos)
      << result.err;
}

TEST_F(ConfigErrors, UnreachableDockerSocketIsOneLineNamingIt) {
  ConfigOptions options;
  const std::string socket = file("no-daemon.sock");
  options.runner_extra =
      "[container]\ndriver = \"docker\"\ndocker_host = \"unix://" + socket + "\"\n";
  write_config(options);
  auto result = runner({"start"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(
      result.err.find("error: docker: GET /info: no Docker daemon answers at unix://" + socket),
      std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("scripts/dockerd start"), std::string::npos) << result.err;
  EXPECT_EQ(runner({"status"}).exit_code, 3);
}

}  // namespace
}  // namespace oxydra::runner_test
