// What the runner reads from Docker, runc and a microVM guest's init: the
// real shapes give the facts, and wrong types or sizes give "absent", never an
// exception (the runner is root; these answers are input like any other).
// Seeds of fuzz/container_replies_fuzz.cc are the real answers captured here.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backends/container/docker/docker_replies.h"
#include "backends/container/oci/oci_runtime.h"
#include "backends/micro_vm/guest_hello.h"
#include "oxydra/testlib/paths.h"

namespace oxydra::runner {
namespace {

using nlohmann::json;

std::string seed(const std::string& name) {
  std::ifstream in(testlib::source_dir() + "/fuzz/corpus/container_replies/" + name);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(DockerReplies, RealInspectAnswersGiveTheState) {
  const auto running = parse_container_state(json::parse(seed("inspect_running.json")));
  EXPECT_TRUE(running.running);
  EXPECT_GT(running.pid, 0);
  EXPECT_EQ(running.status, "running");
  const auto exited = parse_container_state(json::parse(seed("inspect_exited.json")));
  EXPECT_FALSE(exited.running);
  EXPECT_EQ(exited.status, "exited");
  EXPECT_EQ(exited.exit_code, 137);
  const auto created = parse_container_state(json::parse(seed("inspect_created.json")));
  EXPECT_EQ(created.status, "created");
  EXPECT_EQ(parse_container_ids(json::parse(seed("containers_list.json"))).size(), 1u);
  auto facts = parse_daemon_facts(json::parse(seed("docker_info.json")));
  ASSERT_TRUE(facts);
  EXPECT_TRUE(facts->cgroupfs);
  EXPECT_EQ(
      docker_error("GET", "/containers/nope/json?all=1", {404, seed("error_404.json")}).message,
      "docker: GET /containers/nope/json: 404: No such container: nope");
}

TEST(DockerReplies, WrongTypesReadAsAbsentNotAsAnException) {
  const auto state = parse_container_state(
      json::parse(R"({"State": {"Running": "yes", "Pid": "12", "ExitCode": 1e300, "Status": 7}})"));
  EXPECT_FALSE(state.running);
  EXPECT_EQ(state.pid, 0);
  EXPECT_EQ(state.exit_code, -1);
  EXPECT_EQ(state.status, "");
  EXPECT_EQ(parse_container_state(json::parse(R"({"State": [1, 2]})")).pid, 0);
  EXPECT_EQ(parse_container_state(json::parse(R"({"State": {"Pid": -5}})")).pid, 0);
  EXPECT_EQ(parse_container_state(json::parse(R"({"State": {"Pid": 99999999999}})")).pid, 0);
  EXPECT_TRUE(
      parse_container_ids(json::parse(R"([{"Id": 3}, "x", {"Id": ""}, {"Id": "ab"}])")).size() ==
      1);
  EXPECT_TRUE(parse_container_ids(json::parse(R"({"Id": "ab"})")).empty());
  auto facts = parse_daemon_facts(json::parse(
      R"({"SecurityOptions": ["name=userns"], "DockerRootDir": "/var/lib/docker/99999999999.1"})"));
  EXPECT_FALSE(facts);  // a range beyond 32 bits is not one
  EXPECT_TRUE(parse_daemon_facts(json::parse(R"({"SecurityOptions": "name=userns"})")));
}

TEST(RuncState, RealAnswerAndHostileOnes) {
  auto state = parse_runc_state(seed("runc_state_running.json"));
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, "running");
  EXPECT_GT(state->pid, 0);
  EXPECT_FALSE(parse_runc_state("not json"));
  EXPECT_FALSE(parse_runc_state("[1]"));
  auto odd = parse_runc_state(R"({"status": 1, "pid": "5"})");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->status, "");
  EXPECT_EQ(odd->pid, 0);
}

TEST(GuestHello, MeasuredFactsAndHostileWords) {
  const auto hello = parse_guest_hello(seed("guest_hello.txt"));
  EXPECT_EQ(hello.kernel, "6.1.0-57-amd64");
  EXPECT_EQ(hello.no_new_privs, true);
  EXPECT_EQ(hello.cap_eff, "0000000000000000");
  EXPECT_EQ(hello.seccomp, 2);
  EXPECT_EQ(hello.seccomp_policy, "oxydra-allow-v2");
  EXPECT_EQ(hello.root_read_only, true);
  const auto odd = parse_guest_hello(
      "uid=99999999999999999999 seccomp=x cap_eff=zz kernel= " + std::string(500, 'k') + "=1");
  EXPECT_FALSE(odd.uid);
  EXPECT_FALSE(odd.seccomp);
  EXPECT_FALSE(odd.cap_eff);
  EXPECT_FALSE(odd.kernel);
}

}  // namespace
}  // namespace oxydra::runner
