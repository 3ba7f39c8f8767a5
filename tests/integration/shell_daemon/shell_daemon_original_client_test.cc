// The original Rust shell daemon's client, played byte for byte against ours:
// the frames below are what its ShellDaemonRpcClient serializes (serde,
// adjacently tagged `op`/`payload`, request ids `spawn-000001`, ...), one
// request at a time, each reply read as the next frame. Its reply types take
// only the fields below (others are ignored), and its shell tool checks only
// `accepted` of an exec reply, so a timed-out command must come back as an
// error in the original's words (protocol.md §4.2).

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "oxydra/testlib/shell_daemon_process.h"

namespace oxydra {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class OriginalClient : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemon_.started()) << daemon_.log();
    auto client = daemon_.connect();
    ASSERT_TRUE(client) << client.error().message;
    client_.emplace(std::move(*client));
  }
  // Sends `frame` exactly as given and reads the next frame, as the original does.
  json exchange(const std::string& frame) {
    EXPECT_TRUE(client_->send_payload(frame));
    auto reply = client_->recv(30s);
    if (!reply) return json(json::value_t::discarded);
    return json{{"op", reply->op}, {"payload", reply->payload}};
  }
  std::string spawn(const std::string& frame) {
    json reply = exchange(frame);
    EXPECT_EQ(reply["op"], "spawn_session") << reply.dump();
    return reply["payload"].value("session_id", "");
  }
  testlib::ShellDaemonProcess daemon_{{"--log-level", "warn"}};
  std::optional<testlib::FrameClient> client_;
};

TEST_F(OriginalClient, ACommandRunsAndItsOutputIsPulledUntilEof) {
  const std::string session =
      spawn(R"({"op":"spawn_session","payload":{"request_id":"spawn-000001"}})");
  ASSERT_EQ(session, "session-000001");
  json exec =
      exchange(R"({"op":"exec_command","payload":{"request_id":"exec-000002","session_id":")" +
               session + R"(","command":"echo out; echo err >&2","timeout_secs":30}})");
  ASSERT_EQ(exec["op"], "exec_command") << exec.dump();
  EXPECT_EQ(exec["payload"]["request_id"], "exec-000002");
  EXPECT_EQ(exec["payload"]["accepted"], true);

  std::string out, err;
  for (int n = 3; n < 10; ++n) {
    char id[32];
    std::snprintf(id, sizeof id, "stream-%06d", n);
    json chunk = exchange(R"({"op":"stream_output","payload":{"request_id":")" + std::string(id) +
                          R"(","session_id":")" + session + R"("}})");
    ASSERT_EQ(chunk["op"], "stream_output") << chunk.dump();
    const json& p = chunk["payload"];
    EXPECT_EQ(p["request_id"], id);
    EXPECT_EQ(p["session_id"], session);
    ASSERT_TRUE(p["stream"] == "stdout" || p["stream"] == "stderr") << p.dump();
    ASSERT_TRUE(p["data"].is_string() && p["eof"].is_boolean()) << p.dump();
    (p["stream"] == "stdout" ? out : err) += p["data"].get<std::string>();
    if (p["eof"].get<bool>()) break;
  }
  EXPECT_EQ(out, "out\n");
  EXPECT_EQ(err, "err\n");

  json killed =
      exchange(R"({"op":"kill_session","payload":{"request_id":"kill-000010","session_id":")" +
               session + R"("}})");
  EXPECT_EQ(killed["op"], "kill_session") << killed.dump();
  EXPECT_EQ(killed["payload"]["request_id"], "kill-000010");
  EXPECT_EQ(killed["payload"]["killed"], true);
}

TEST_F(OriginalClient, ATimedOutCommandIsAnErrorInTheOriginalsWords) {
  const std::string session =
      spawn(R"({"op":"spawn_session","payload":{"request_id":"spawn-000001"}})");
  json timed_out =
      exchange(R"({"op":"exec_command","payload":{"request_id":"exec-000002","session_id":")" +
               session + R"(","command":"sleep 30","timeout_secs":1}})");
  ASSERT_EQ(timed_out["op"], "error") << timed_out.dump();
  EXPECT_EQ(timed_out["payload"]["request_id"], "exec-000002");
  EXPECT_EQ(timed_out["payload"]["message"], "command execution timed out after 1s");
  // The session is still usable, as the original's was.
  json next =
      exchange(R"({"op":"exec_command","payload":{"request_id":"exec-000003","session_id":")" +
               session + R"(","command":"true","timeout_secs":30}})");
  EXPECT_EQ(next["op"], "exec_command") << next.dump();
  EXPECT_EQ(next["payload"]["accepted"], true);
}

TEST_F(OriginalClient, AClientThatSaidHelloGetsTheTimedOutReplyInstead) {
  auto hello = client_->request(
      "hello", {{"request_id", "h"}, {"protocol_version", 1}, {"client", "oxydra-test"}});
  ASSERT_TRUE(hello && hello->op == "hello");
  const std::string session = spawn(R"({"op":"spawn_session","payload":{"request_id":"s"}})");
  json reply = exchange(R"({"op":"exec_command","payload":{"request_id":"e","session_id":")" +
                        session + R"(","command":"sleep 30","timeout_secs":1}})");
  ASSERT_EQ(reply["op"], "exec_command") << reply.dump();
  EXPECT_EQ(reply["payload"]["timed_out"], true);
}

TEST_F(OriginalClient, ALoginSessionReadsTheProfileAsTheOriginalsShellDid) {
  const std::string home = daemon_.dir().path();
  std::ofstream(home + "/.profile") << "export FROM_PROFILE=read\n";
  const std::string env = R"("env":{"HOME":")" + home + R"("})";
  const std::string login =
      spawn(R"({"op":"spawn_session","payload":{"request_id":"l",)" + env + R"(,"login":true}})");
  const std::string plain =
      spawn(R"({"op":"spawn_session","payload":{"request_id":"p",)" + env + "}}");
  for (const auto& [session, expected] :
       {std::pair{login, std::string("read\n")}, std::pair{plain, std::string("\n")}}) {
    json exec = exchange(R"({"op":"exec_command","payload":{"request_id":"x","session_id":")" +
                         session + R"(","command":"echo $FROM_PROFILE"}})");
    ASSERT_EQ(exec["op"], "exec_command") << exec.dump();
    json chunk = exchange(R"({"op":"stream_output","payload":{"request_id":"y","session_id":")" +
                          session + R"("}})");
    EXPECT_EQ(chunk["payload"]["data"], expected) << session;
  }
}

}  // namespace
}  // namespace oxydra
