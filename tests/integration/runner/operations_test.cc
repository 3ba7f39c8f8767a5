// What an operator sees of every user at once, from the real runners: `list`,
// `status --all` and `metrics` (parsed by prometheus_client's own parser).

#include <sys/stat.h>
#include <unistd.h>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/paths.h"
#include "runner_fixture.h"
#include "tier_support.h"

namespace oxydra::runner_test {
namespace {

constexpr const char* kSystemPython = "/usr/bin/python3";

class Operations : public RunnerFixture {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    OXYDRA_SKIP_UNLESS_TIER(TestTier::oci);
  }

  // alice on the container tier, with the fake model; bob configured, never started.
  void write_two_users(const std::string& provider_url) {
    ConfigOptions options = tier_options(TestTier::oci);
    options.provider_url = provider_url;
    options.runner_extra += "\n[users.bob]\nconfig_path = \"alice.toml\"\n";
    write_config(options);
  }

  // The metrics file, as prometheus_client's parser read it.
  nlohmann::json parse_metrics(const std::string& path) {
    auto parsed = run_command(
        {kSystemPython, testlib::source_dir() + "/tests/integration/runner/parse_metrics.py", path},
        {}, 60s);
    EXPECT_EQ(parsed.exit_code, 0) << parsed.err;
    return nlohmann::json::parse(parsed.out, nullptr, false);
  }
};

TEST_F(Operations, ListStatusAllAndMetricsReportEveryUserAsTheirRunnersDo) {
  OXYDRA_SKIP_UNLESS(
      run_command({kSystemPython, "-c", "import prometheus_client"}, {}, 30s).exit_code == 0,
      "python3-prometheus-client is not installed (scripts/install-deps)");
  testlib::FakeLlmServer llm;
  testlib::ScriptedTurn command = calls_shell("echo hi; exit 3");
  command.input_tokens = 100;
  command.output_tokens = 20;
  llm.enqueue(testlib::openai_stream(command));
  testlib::ScriptedTurn answer = says("It failed with status 3.");
  answer.input_tokens = 150;
  answer.output_tokens = 10;
  llm.enqueue(testlib::openai_stream(answer));
  write_two_users(llm.base_url() + "/v1");

  // Nobody runs yet: both are listed, stopped.
  auto before = runner({"list", "--json"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  auto listed = nlohmann::json::parse(before.out, nullptr, false);
  ASSERT_TRUE(listed.is_array()) << before.out;
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["user"], "alice");
  EXPECT_EQ(listed[0]["state"], "stopped");
  EXPECT_EQ(listed[1]["user"], "bob");
  EXPECT_EQ(listed[1]["state"], "stopped");

  auto started = runner({"--user", "alice", "start", "--detach"});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto asked = runner({"--user", "alice", "ask", "Run it."});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;

  auto json = runner({"list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  listed = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(listed.is_array()) << json.out;
  const auto& alice = listed[0];
  EXPECT_EQ(alice["state"], "running") << alice.dump();
  EXPECT_EQ(alice["tier"], "container");
  EXPECT_EQ(alice["healthy"], true);
  EXPECT_TRUE(alice["degraded"].empty()) << alice.dump();
  // Both guests measured by the host: their cgroups' memory and CPU.
  for (const char* role : {"runtime", "sidecar"}) {
    EXPECT_EQ(alice["guests"][role]["state"], "running") << role;
    EXPECT_GT(alice["guests"][role]["memory_bytes"].get<double>(), 0) << role;
    EXPECT_GT(alice["guests"][role]["cpu_seconds"].get<double>(), 0) << role;
  }
  EXPECT_EQ(alice["memory_bytes"].get<double>(),
            alice["guests"]["runtime"]["memory_bytes"].get<double>() +
                alice["guests"]["sidecar"]["memory_bytes"].get<double>());
  EXPECT_EQ(listed[1]["state"], "stopped");

  auto table = runner({"list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("USER", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("alice  running  container"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("bob    stopped"), std::string::npos) << table.out;

  // Someone who may not ask the runners is told so, not shown a guess (the
  // config readable by all, as the package installs /etc/oxydra/runner.toml).
  ::chmod(dir_.path().c_str(), 0755);
  auto stranger = run_command(
      {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
       testlib::bin_dir() + "/oxydra-runner", "--config", config_path(), "list", "--json"},
      {}, 60s);
  ASSERT_EQ(stranger.exit_code, 0) << stranger.err;
  const auto seen = nlohmann::json::parse(stranger.out, nullptr, false);
  ASSERT_TRUE(seen.is_array()) << stranger.out << stranger.err;
  EXPECT_EQ(seen[0]["state"], "refused") << seen.dump();
  EXPECT_NE(seen[0]["error"].get<std::string>().find("Permission denied"), std::string::npos);

  auto all = runner({"status", "--all"});
  EXPECT_EQ(all.exit_code, 3) << "bob is not running: " << all.err;
  EXPECT_NE(all.out.find("user alice: running (healthy)"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("user bob: stopped"), std::string::npos) << all.out;

  const std::string prom = file("oxydra.prom");
  auto metrics = runner({"metrics", "--output", prom});
  ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
  EXPECT_EQ(::access((prom + ".tmp." + std::to_string(::getpid())).c_str(), F_OK), -1);
  const auto parsed = parse_metrics(prom);
  ASSERT_TRUE(parsed.is_object());
  const auto& families = parsed["families"];
  EXPECT_EQ(families["oxydra_user_up"], "gauge");
  EXPECT_EQ(families["oxydra_turns"], "counter") << "counters drop _total in the parser's names";
  EXPECT_EQ(families["oxydra_guest_memory_bytes"], "gauge");
  const auto& samples = parsed["samples"];
  const auto value = [&](const std::string& key) -> double {
    EXPECT_TRUE(samples.contains(key)) << key << " in " << samples.dump(1);
    return samples.contains(key) ? samples[key].get<double>() : -1;
  };
  EXPECT_EQ(value("oxydra_users{}"), 2);
  EXPECT_EQ(value("oxydra_users_running{}"), 1);
  EXPECT_EQ(value("oxydra_user_up{user=alice}"), 1);
  EXPECT_EQ(value("oxydra_user_up{user=bob}"), 0);
  EXPECT_EQ(value("oxydra_user_healthy{user=alice}"), 1);
  EXPECT_EQ(value("oxydra_user_info{tier=container,user=alice}"), 1);
  EXPECT_EQ(value("oxydra_agent_up{user=alice}"), 1);
  EXPECT_EQ(value("oxydra_turns_total{stop_reason=completed,user=alice}"), 1);
  EXPECT_EQ(value("oxydra_tokens_total{direction=input,user=alice}"), 250);
  EXPECT_EQ(value("oxydra_tokens_total{direction=output,user=alice}"), 30);
  EXPECT_EQ(value("oxydra_shell_commands_total{user=alice}"), 1);
  EXPECT_EQ(value("oxydra_shell_command_failures_total{user=alice}"), 1);
  EXPECT_EQ(value("oxydra_shell_command_timeouts_total{user=alice}"), 0);
  EXPECT_EQ(value("oxydra_guest_up{role=sidecar,user=alice}"), 1);
  EXPECT_EQ(value("oxydra_guest_restarts_total{role=runtime,user=alice}"), 0);
  EXPECT_GT(value("oxydra_guest_memory_bytes{role=runtime,user=alice}"), 0);
  EXPECT_GT(value("oxydra_guest_cpu_seconds_total{role=sidecar,user=alice}"), 0);
  EXPECT_FALSE(samples.contains("oxydra_user_healthy{user=bob}"));

  ASSERT_EQ(runner({"--user", "alice", "stop"}).exit_code, 0);
  auto after = runner({"metrics"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("oxydra_user_up{user=\"alice\"} 0"), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("oxydra_users_running 0"), std::string::npos) << after.out;
}

}  // namespace
}  // namespace oxydra::runner_test
