// From inside a guest started by the runner's process tier: Landlock refuses
// writes outside the user's directories and seccomp refuses forbidden
// syscalls. The guest is oxydra-runner-guest-probe (test-only), selected with
// [process] oxydra_vm; the runner hardens it exactly as it hardens oxydra-vm.

#include <cerrno>

#include "oxydra/testlib/child_process.h"
#include "oxydra/testlib/must_work.h"
#include "runner_fixture.h"

namespace oxydra::runner_test {
namespace {

class Hardening : public RunnerFixture {};

nlohmann::json probe_result(const std::string& logs) {
  const std::string marker = "PROBE-RESULT ";
  auto at = logs.find(marker);
  if (at == std::string::npos) return nlohmann::json(nlohmann::json::value_t::discarded);
  auto end = logs.find('\n', at);
  return nlohmann::json::parse(logs.substr(at + marker.size(), end - at - marker.size()), nullptr,
                               false);
}

TEST_F(Hardening, InsideTheGuestLandlockAndSeccompRefuse) {
  if (auto missing = missing_kernel_feature(); !missing.empty()) {
    OXYDRA_SKIP(missing);
  }
  ConfigOptions options;
  options.guest = testlib::bin_dir() + "/oxydra-runner-guest-probe";
  write_config(options);
  start_detached();

  auto logs = runner({"logs", "--role", "runtime", "--stream", "stdout", "--tail", "0"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  auto result = probe_result(logs.out);
  ASSERT_FALSE(result.is_discarded()) << logs.out;

  EXPECT_EQ(result["write_shared"], 0) << result.dump();
  EXPECT_EQ(result["write_user_root"], EACCES) << result.dump();
  EXPECT_EQ(result["write_outside"], EACCES) << result.dump();
  EXPECT_EQ(result["write_tmp_dir"], EACCES) << "the host's /tmp: " << result.dump();
  EXPECT_EQ(result["unshare_uts"], EPERM) << result.dump();
  EXPECT_EQ(result["keyctl"], EPERM) << result.dump();
  EXPECT_EQ(result["no_new_privs"], "1");
  EXPECT_EQ(result["seccomp"], "2");
  // The credential arrived in the envelope, and nowhere in the environment.
  EXPECT_EQ(result["credential_names"], nlohmann::json::array({"fake"}));
  EXPECT_EQ(result["secret_in_env"], false);

  auto health = this->health();
  EXPECT_EQ(health["startup_status"]["enforcement"]["runtime"]["landlock"]["status"],
            "fully_enforced")
      << health.dump(2);
}

}  // namespace
}  // namespace oxydra::runner_test
