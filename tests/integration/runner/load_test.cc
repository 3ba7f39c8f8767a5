// Load with the real binaries: 20 gateway clients chatting at once with one
// agent, and 20 users started at once on one runner host (container tier,
// oci driver). Every turn and every user must complete; the figures (turn
// latency, time to all ready, memory per pair) are printed for
// docs/benchmarks.md, never asserted (timing belongs in benches).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/frame_client.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/paths.h"
#include "oxydra/testlib/proc_scan.h"
#include "runner_fixture.h"
#include "tier_support.h"

namespace oxydra::runner_test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kClients = 20;
constexpr int kTurnsPerClient = 5;
constexpr int kUsers = 20;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1))];
}

class Load : public RunnerFixture {};

TEST_F(Load, TwentyGatewayClientsChatAtOnce) {
  OXYDRA_SKIP_UNLESS_TIER(TestTier::process);
  testlib::FakeLlmServer llm;
  for (int i = 0; i < (kClients + 1) * kTurnsPerClient; ++i) {
    testlib::ScriptedTurn turn = says("Answer from the model, streamed in small pieces.");
    turn.fragment_bytes = 8;
    llm.enqueue(testlib::openai_stream(turn));
  }
  ConfigOptions options = tier_options(TestTier::process);
  options.provider_url = llm.base_url() + "/v1";
  write_config(options);
  start_detached();
  const std::string gateway = user_root() + "/ipc/gateway/gateway.sock";

  // Each client its own session, its turns one after another.
  auto chat = [&](int client) {
    std::vector<double> latencies;
    auto connection = testlib::FrameClient::connect_unix(gateway);
    if (!connection) return latencies;
    auto session = connection->request("new_session", {{"request_id", "n"}});
    if (!session || session->op != "new_session") return latencies;
    const std::string id = session->payload.value("session_id", "");
    for (int turn = 0; turn < kTurnsPerClient; ++turn) {
      const std::string request = "c" + std::to_string(client) + "t" + std::to_string(turn);
      const auto start = Clock::now();
      if (!connection->send("send_message",
                            {{"request_id", request}, {"session_id", id}, {"text", "Hello."}}))
        break;
      std::optional<Message> reply;
      while ((reply = connection->recv(120s)) && reply->op != "turn_complete" &&
             reply->op != "error") {
      }
      if (!reply || reply->op != "turn_complete" ||
          reply->payload.value("stop_reason", "") != "completed" ||
          reply->payload.value("text", "") != "Answer from the model, streamed in small pieces.")
        break;
      latencies.push_back(ms_since(start));
    }
    return latencies;
  };
  // The baseline, in the same run: one client alone.
  const auto alone = chat(-1);
  ASSERT_EQ(alone.size(), static_cast<std::size_t>(kTurnsPerClient));
  const auto start = Clock::now();
  std::vector<std::future<std::vector<double>>> clients;
  for (int c = 0; c < kClients; ++c)
    clients.push_back(std::async(std::launch::async, chat, c));
  std::vector<double> all;
  for (int c = 0; c < kClients; ++c) {
    auto latencies = clients[static_cast<std::size_t>(c)].get();
    EXPECT_EQ(latencies.size(), static_cast<std::size_t>(kTurnsPerClient)) << "client " << c;
    all.insert(all.end(), latencies.begin(), latencies.end());
  }
  const double total_ms = ms_since(start);
  EXPECT_EQ(llm.request_count(), static_cast<std::size_t>((kClients + 1) * kTurnsPerClient));
  std::printf(
      "[figure] %d gateway clients x %d turns: %zu turns in %.0f ms (%.1f turns/s), "
      "turn latency p50 %.1f ms, p99 %.1f ms; one client alone: p50 %.1f ms\n",
      kClients, kTurnsPerClient, all.size(), total_ms,
      static_cast<double>(all.size()) * 1000.0 / total_ms, percentile(all, 0.5),
      percentile(all, 0.99), percentile(alone, 0.5));
  // The agent still serves a new client.
  auto client = testlib::FrameClient::connect_unix(gateway);
  ASSERT_TRUE(client);
  auto hello = client->request("hello", {{"request_id", "after"}});
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->op, "hello") << hello->payload.dump();
}

// Summed VmRSS of every host process a user's pair needs: its runner, and for
// each guest the processes in its cgroup and their host-side parent (runc).
std::size_t pair_rss(const std::string& user, pid_t runner_pid) {
  std::size_t total = testlib::rss_bytes(runner_pid);
  for (const char* role : {"shell-vm", "oxydra-vm"}) {
    const std::string name = "oxydra-" + user + "-" + role;
    std::ifstream procs("/sys/fs/cgroup/pids/oxydra/" + name + "/cgroup.procs");
    pid_t pid = 0, init = 0;
    while (procs >> pid) {
      total += testlib::rss_bytes(pid);
      auto info = testlib::read_proc(pid);
      if (info && info->comm == "oxydra-guest-in") init = pid;
    }
    // A host process kept behind the guest, if any (the oci driver keeps none:
    // the guest's init is the runner's child once runc has exited).
    if (auto info = init ? testlib::read_proc(init) : std::nullopt;
        info && info->ppid != runner_pid)
      total += testlib::rss_bytes(info->ppid);
  }
  return total;
}

TEST_F(Load, TwentyUsersStartAtOnceOnOneHost) {
  OXYDRA_SKIP_UNLESS_TIER(TestTier::oci);
  std::vector<std::string> users;
  for (int i = 1; i <= kUsers; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "load%02d", i);
    users.emplace_back(name);
  }
  ConfigOptions options = tier_options(TestTier::oci);
  for (const auto& user : users)
    options.runner_extra += "\n[users." + user + "]\nconfig_path = \"alice.toml\"\n";
  write_config(options);

  // The baseline, in the same run: one user alone.
  const auto alone = Clock::now();
  ASSERT_EQ(runner({"--user", users.front(), "start", "--detach"}, 300s).exit_code, 0);
  const double alone_ms = ms_since(alone);
  ASSERT_EQ(runner({"--user", users.front(), "stop"}, 120s).exit_code, 0);

  const auto start = Clock::now();
  std::vector<std::future<CommandResult>> starts;
  for (const auto& user : users)
    starts.push_back(std::async(std::launch::async, [&, user] {
      return runner({"--user", user, "start", "--detach"}, 300s);
    }));
  std::vector<std::string> failed;
  for (std::size_t i = 0; i < users.size(); ++i) {
    auto result = starts[i].get();
    if (result.exit_code != 0) failed.push_back(users[i] + ": " + result.err);
  }
  const double all_ready_ms = ms_since(start);
  std::size_t total_rss = 0;
  int healthy = 0;
  std::vector<pid_t> runners;
  for (const auto& user : users) {
    auto status = runner({"--user", user, "status", "--json"});
    auto health = nlohmann::json::parse(status.out, nullptr, false);
    if (health.is_discarded() || !health.value("healthy", false)) continue;
    ++healthy;
    runners.push_back(health.value("runner_pid", 0));
    total_rss += pair_rss(user, runners.back());
  }
  for (const auto& user : users)
    runner({"--user", user, "stop"}, 120s);
  EXPECT_TRUE(failed.empty()) << failed.size() << " users failed to start; first: "
                              << (failed.empty() ? "" : failed.front());
  EXPECT_EQ(healthy, kUsers);
  std::printf(
      "[figure] %d users started at once (container tier, oci): all ready in %.0f ms "
      "(one alone: %.0f ms); memory per pair %.1f MiB RSS (runner and guests)\n",
      kUsers, all_ready_ms, alone_ms,
      static_cast<double>(total_rss) / (1024.0 * 1024.0) / std::max(healthy, 1));
  // Nothing of theirs is left running.
  for (pid_t pid : runners) {
    // stop returns once the runner said it is done; its process exits just after.
    for (int i = 0; i < 100 && process_alive(pid); ++i)
      std::this_thread::sleep_for(100ms);
    EXPECT_FALSE(process_alive(pid)) << "runner " << pid << " outlived stop";
  }
  for (const auto& user : users)
    EXPECT_FALSE(fs::exists("/sys/fs/cgroup/pids/oxydra/oxydra-" + user + "-shell-vm/cgroup.procs"))
        << user << "'s shell-vm cgroup is left";
}

}  // namespace
}  // namespace oxydra::runner_test
