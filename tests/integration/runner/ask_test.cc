// ask against the fake LLM server through the real runner and oxydra-vm: the
// credential travels in the envelope only, the answer streams back.

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

}  // namespace
}  // namespace oxydra::runner_test
