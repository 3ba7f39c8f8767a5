#include <gtest/gtest.h>

#include "cli/metrics_format.h"
#include "cli/user_list.h"

namespace oxydra::runner {
namespace {

UserSnapshot running_user(nlohmann::json counters) {
  UserSnapshot user;
  user.user_id = "alice";
  user.state = "running";
  user.health = {{"healthy", true},
                 {"sandbox_tier", "container"},
                 {"uptime_secs", 42},
                 {"usage", {{"memory_bytes", 1048576}, {"cpu_seconds", 0.5}}},
                 {"startup_status", {{"degraded_reasons", nlohmann::json::array()}}},
                 {"guests",
                  {{"runtime",
                    {{"state", "running"},
                     {"restarts", 2},
                     {"memory_bytes", 1048576},
                     {"cpu_seconds", 0.5}}}}}};
  user.agent = {{"available", true}, {"counters", std::move(counters)}};
  return user;
}

TEST(MetricsFormat, EachFamilyOnceWithHelpAndTypeAndEscapedLabelsFromTheGuest) {
  UserSnapshot stopped;
  stopped.user_id = "bob";
  stopped.state = "stopped";
  const std::string text = format_metrics(
      {running_user({{"turns", {{"completed", 3}, {"odd\"reason\\\nx", 1}}}}), stopped});
  EXPECT_NE(text.find("oxydra_turns_total{user=\"alice\",stop_reason=\"completed\"} 3\n"),
            std::string::npos)
      << text;
  // A guest chose this name: quote, backslash and newline escaped, nothing injected.
  EXPECT_NE(text.find("stop_reason=\"odd\\\"reason\\\\\\nx\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("oxydra_guest_memory_bytes{user=\"alice\",role=\"runtime\"} 1048576\n"),
            std::string::npos);
  EXPECT_NE(text.find("oxydra_guest_cpu_seconds_total{user=\"alice\",role=\"runtime\"} 0.5\n"),
            std::string::npos);
  EXPECT_NE(text.find("oxydra_user_up{user=\"bob\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("oxydra_users 2\n"), std::string::npos);
  EXPECT_NE(text.find("oxydra_users_running 1\n"), std::string::npos);
  std::size_t helps = 0;
  for (auto at = text.find("# HELP oxydra_user_up "); at != std::string::npos;
       at = text.find("# HELP oxydra_user_up ", at + 1))
    ++helps;
  EXPECT_EQ(helps, 1u);
}

TEST(MetricsFormat, ASnapshotOfTheWrongShapeGivesNoSampleRatherThanAnError) {
  const std::string text =
      format_metrics({running_user({{"turns", "many"}, {"input_tokens", "lots"}})});
  EXPECT_EQ(text.find("oxydra_turns_total"), std::string::npos);
  EXPECT_EQ(text.find("oxydra_tokens_total"), std::string::npos);
  EXPECT_NE(text.find("oxydra_agent_up{user=\"alice\"} 1"), std::string::npos);
}

TEST(UserList, TableAndJsonSayWhatTheRunnersReported) {
  UserSnapshot stopped;
  stopped.user_id = "bob";
  stopped.state = "stopped";
  const auto users = std::vector{running_user(nlohmann::json::object()), stopped};
  const std::string table = format_user_list(users);
  EXPECT_NE(table.find("USER   STATE    TIER       UPTIME  MEMORY   CPU     DEGRADED\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("alice  running  container  42s     1.0 MiB  0.50 s  -\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("bob    stopped  -          -       -        -       -\n"),
            std::string::npos)
      << table;
  const auto json = user_list_json(users);
  EXPECT_EQ(json[0]["guests"]["runtime"]["restarts"], 2);
  EXPECT_TRUE(json[1]["tier"].is_null());
}

}  // namespace
}  // namespace oxydra::runner
