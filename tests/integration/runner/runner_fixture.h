#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "oxydra/testlib/llm_scripts.h"

#include "oxydra/testlib/child_process.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/run_command.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner_test {

using namespace std::chrono_literals;

using testlib::CommandResult;
using testlib::run_command;

// What the generated configuration says.
struct ConfigOptions {
  std::string provider_url = "http://127.0.0.1:9/v1";  // never contacted unless a test says so
  std::string guest;  // [process] oxydra_vm; empty: oxydra-vm beside oxydra-runner
  std::string credential_ref = "env:OXY_RUNNER_TEST_KEY";
  int restart_max = 3;
  std::string tier = "container";  // default_tier
  // The user's max_memory_mib when not the fixture's (a VM's RAM is real memory).
  std::optional<long long> memory_mib;
  std::string runner_top;    // top-level keys of runner.toml
  std::string runner_extra;  // appended to runner.toml
  std::string policy_extra;  // more keys of runner.toml's [policy]
  std::string user_extra;    // appended to the user's toml
};

// A fresh directory with runner.toml, alice.toml and agent.toml, and helpers
// to run the real oxydra-runner against it. TearDown stops whatever runner a
// test left (stop, then SIGKILL of the lock holder).
class RunnerFixture : public ::testing::Test {
 protected:
  static constexpr const char* kSecret = "sk-oxydra-test-secret-0123456789";

  void SetUp() override;
  void TearDown() override;

  void write_config(const ConfigOptions& options = {});
  // oxydra-runner --config <runner.toml> ARGS..., with OXY_RUNNER_TEST_KEY set.
  CommandResult runner(const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = 180s);
  // status --json, parsed (a discarded value when it failed).
  nlohmann::json health();
  // Polls health() until `pred` holds (up to two minutes); the last health seen.
  nlohmann::json wait_health(const std::function<bool(const nlohmann::json&)>& pred);
  // start --insecure --detach, expecting success.
  void start_detached();

  std::string workspace() const { return dir_.path() + "/ws"; }
  std::string user_root() const { return workspace() + "/alice"; }
  std::string file(const std::string& name) const { return dir_.file(name); }
  std::string config_path() const { return dir_.file("runner.toml"); }

  testlib::TempDir dir_{"oxr"};
};

// A command running in the background with pipes on stdin, stdout and stderr.
class AsyncCommand {
 public:
  AsyncCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
  ~AsyncCommand();  // kills it if still running
  AsyncCommand(const AsyncCommand&) = delete;
  AsyncCommand& operator=(const AsyncCommand&) = delete;

  pid_t pid() const { return pid_; }
  void write_stdin(const std::string& text);
  void close_stdin();
  // Polls until stdout or stderr holds `text`.
  bool wait_output(const std::string& text, std::chrono::milliseconds timeout = 60s);
  CommandResult wait(std::chrono::milliseconds timeout = 60s);

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  CommandResult result_;
};

bool process_alive(pid_t pid);  // exists and is not a zombie

// A model turn that says "Looking." and calls shell_exec with `command` (call_1).
testlib::ScriptedTurn calls_shell(const std::string& command);
// A model turn that only says `text`.
testlib::ScriptedTurn says(const std::string& text);

// A python3 script run in shell-vm with the allowed port as its argument:
// prints the proxy from ALL_PROXY, the SOCKS5 reply codes for the allowed
// local service and for 169.254.169.254 through /egress/egress.sock, the
// allowed service's first bytes, and what a direct connection to
// `direct_host` gives ("direct <strerror>").
std::string egress_probe_script(const std::string& direct_host);
// Empty when Landlock and seccomp can be tested here, else why not.
std::string missing_kernel_feature();
using testlib::must_work;

}  // namespace oxydra::runner_test
