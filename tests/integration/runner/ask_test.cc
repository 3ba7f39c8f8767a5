// ask against the fake LLM server through the real runner and oxydra-vm: the
// credential travels in the envelope only, the answer streams back.

#include <signal.h>

#include <fstream>
#include <sstream>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"
#include "runner_fixture.h"

namespace oxydra::runner_test {
namespace {

class Ask : public RunnerFixture {};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST_F(Ask, AnswersFromTheFakeModel) {
  testlib::FakeLlmServer llm;
  testlib::ScriptedTurn turn;
  turn.text = "Hello from the fake model.";
  llm.enqueue(testlib::openai_stream(turn));
  llm.enqueue(testlib::openai_error(400, "bad request from the test"));
  ConfigOptions options;
  options.provider_url = llm.base_url() + "/v1";
  write_config(options);
  start_detached();

  auto answer = runner({"ask", "Say hello."});
  EXPECT_EQ(answer.exit_code, 0) << answer.err;
  EXPECT_EQ(answer.out, "Hello from the fake model.\n");
  ASSERT_EQ(llm.request_count(), 1u);
  EXPECT_EQ(llm.requests()[0].header("authorization"), std::string("Bearer ") + kSecret);

  auto failed = runner({"ask", "Again."});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_NE(failed.err.find("error"), std::string::npos) << failed.err;

  // The secret is in no log and not in the guest's environment.
  const pid_t runtime = health()["runtime_pid"].get<pid_t>();
  EXPECT_EQ(read_all("/proc/" + std::to_string(runtime) + "/environ").find(kSecret),
            std::string::npos);
  for (const char* log : {"runtime.stdout.log", "runtime.stderr.log", "runner.log"}) {
    EXPECT_EQ(read_all(user_root() + "/logs/" + log).find(kSecret), std::string::npos) << log;
  }
}

TEST_F(Ask, ChatStreamsAndCtrlCCancelsOnlyTheTurn) {
  testlib::FakeLlmServer llm;
  testlib::ScriptedTurn first;
  first.text = "First answer.";
  llm.enqueue(testlib::openai_stream(first));
  testlib::ScriptedTurn slow;
  slow.text = "never finished";
  auto stalled = testlib::openai_stream(slow);
  stalled.chunks.resize(1);  // a first piece, then silence
  stalled.stall = true;
  llm.enqueue(stalled);
  testlib::ScriptedTurn last;
  last.text = "Still here.";
  llm.enqueue(testlib::openai_stream(last));
  ConfigOptions options;
  options.provider_url = llm.base_url() + "/v1";
  write_config(options);
  start_detached();

  AsyncCommand chat({testlib::bin_dir() + "/oxydra-runner", "--config", config_path(), "chat"}, {});
  chat.write_stdin("Hello?\n");
  ASSERT_TRUE(chat.wait_output("First answer.")) << chat.wait().err;
  chat.write_stdin("Take your time.\n");
  ASSERT_TRUE(llm.wait_for_requests(2, 60s));
  ::kill(chat.pid(), SIGINT);
  ASSERT_TRUE(chat.wait_output("[turn ended: cancelled]")) << chat.wait().err;
  chat.write_stdin("Are you there?\n");
  ASSERT_TRUE(chat.wait_output("Still here."));
  chat.write_stdin("/quit\n");
  auto result = chat.wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

}  // namespace
}  // namespace oxydra::runner_test
