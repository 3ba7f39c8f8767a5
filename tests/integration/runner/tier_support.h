#pragma once

#include <string>
#include <vector>

#include "oxydra/testlib/mounts.h"

#include "runner_fixture.h"

namespace oxydra::runner_test {

using testlib::mounts_under;

// The tiers (and container drivers) a test can run a user's pair on.
enum class TestTier { process, oci, docker, micro_vm };

std::string tier_name(TestTier tier);  // "process", "oci", "docker", "micro_vm"
bool has_shell(TestTier tier);         // false on the process tier (shell tools disabled)
// The suffix of a case run on `tier` (INSTANTIATE_TEST_SUITE_P's name generator).
std::string tier_test_name(const ::testing::TestParamInfo<TestTier>& param);

// Why `tier` cannot run here ("" when it can). `docker_absent` is set when no
// daemon is named at all (DOCKER_HOST unset): scripts/docker-conformance runs
// those cases, so they are a plain skip elsewhere.
std::string missing_tier_support(TestTier tier, bool* docker_absent = nullptr);

// The configuration that puts alice's pair on `tier` (images, driver, TCG).
ConfigOptions tier_options(TestTier tier);
// The runner's arguments that start alice detached on `tier`.
std::vector<std::string> tier_start_args(TestTier tier);

// The host pid of a docker guest's init (`role`: shell-vm or oxydra-vm), or -1.
pid_t docker_guest_pid(const std::string& user, const std::string& role);
// Removes what a docker test leaves in the daemon (its containers by name).
void remove_docker_guests(const std::string& user);

// Skips (or, for a capability this machine kind has, fails under
// OXYDRA_MUST_WORK) when `tier` cannot run here.
#define OXYDRA_SKIP_UNLESS_TIER(tier)                                         \
  do {                                                                        \
    bool docker_absent_ = false;                                              \
    const std::string missing_ = missing_tier_support(tier, &docker_absent_); \
    if (docker_absent_) GTEST_SKIP() << missing_;                             \
    if (!missing_.empty()) OXYDRA_SKIP(missing_);                             \
  } while (0)

}  // namespace oxydra::runner_test
