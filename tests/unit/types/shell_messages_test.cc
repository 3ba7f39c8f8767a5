#include "oxydra/types/shell_messages.h"

#include <gtest/gtest.h>

#include "round_trip.h"

namespace oxydra::shell_rpc {
namespace {

using nlohmann::json;
using oxydra::testing::expect_parse_error;
using oxydra::testing::expect_round_trip;

TEST(ShellMessages, HelloRoundTrips) {
  expect_round_trip(HelloRequest{"r-1", 1, "oxydra-vm/0.1", {}}, parse_hello_request, kOpHello);
  expect_round_trip(HelloRequest{"r-2", 1, "oxydra-vm/0.1", {"base64"}}, parse_hello_request);
  HelloReply reply{"r-1",       1, "shell-daemon/0.1", {"stream", "cancel"}, {8u << 20, 64, 65536},
                   std::nullopt};
  expect_round_trip(reply, parse_hello_reply, kOpHello);
  reply.capabilities.clear();
  expect_round_trip(reply, parse_hello_reply);
}

TEST(ShellMessages, SpawnSessionRoundTrips) {
  expect_round_trip(SpawnSessionRequest{"r-2", std::nullopt, std::nullopt, {}},
                    parse_spawn_session_request, kOpSpawnSession);
  expect_round_trip(SpawnSessionRequest{"r-2", "/bin/bash", "/shared", {{"LANG", "C.UTF-8"}}},
                    parse_spawn_session_request);
  expect_round_trip(SpawnSessionReply{"r-2", "session-000001"}, parse_spawn_session_reply);
}

TEST(ShellMessages, SpawnSessionAcceptsOriginalMinimalPayload) {
  auto parsed = parse_spawn_session_request(json{{"request_id", "r"}});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE(parsed->shell);
  EXPECT_TRUE(parsed->env.empty());
}

// A NUL cannot reach a path, argv or the environment: the program would see
// only what precedes it, so such a request is refused, naming the field.
TEST(ShellMessages, NulBytesInPathsCommandsAndEnvironmentAreRefused) {
  const std::string nul("a\0b", 3);
  for (const char* key : {"shell", "cwd"}) {
    auto parsed = parse_spawn_session_request(json{{"request_id", "r"}, {key, nul}});
    ASSERT_FALSE(parsed) << key;
    EXPECT_NE(parsed.error().message.find(key), std::string::npos) << parsed.error().message;
  }
  EXPECT_FALSE(parse_spawn_session_request(json{{"request_id", "r"}, {"env", {{"K", nul}}}}));
  EXPECT_FALSE(parse_spawn_session_request(json{{"request_id", "r"}, {"env", {{nul, "v"}}}}));
  EXPECT_FALSE(
      parse_exec_command_request(json{{"request_id", "r"}, {"session_id", "s"}, {"command", nul}}));
  // stdin carries bytes, NUL included.
  EXPECT_TRUE(parse_exec_command_request(
      json{{"request_id", "r"}, {"session_id", "s"}, {"command", "cat"}, {"stdin", nul}}));
}

TEST(ShellMessages, ExecCommandRoundTrips) {
  ExecCommandRequest minimal{"r-3", "session-000001", "ls -la", {}, {}, false, {}};
  expect_round_trip(minimal, parse_exec_command_request, kOpExecCommand);
  EXPECT_FALSE(to_json(minimal).contains("stream"));
  expect_round_trip(ExecCommandRequest{"r-3", "session-000001", "cat", 30, "hi\n", true, 4096},
                    parse_exec_command_request);

  ExecCommandReply exited{"r-3", true, 0, std::nullopt, false, 12, 100, 3, 0, "/shared"};
  expect_round_trip(exited, parse_exec_command_reply, kOpExecCommand);
  ExecCommandReply killed{"r-3", true, std::nullopt, 9, true, 30000, 65536, 0, 1000, "/tmp"};
  expect_round_trip(killed, parse_exec_command_reply);
}

TEST(ShellMessages, ExecCommandReplySendsNullForAbsentExitCodeAndSignal) {
  ExecCommandReply killed{"r", true, std::nullopt, 15, false, 1, 0, 0, 0, "/"};
  const json wire = to_json(killed);
  ASSERT_TRUE(wire.contains("exit_code"));
  EXPECT_TRUE(wire["exit_code"].is_null());
  EXPECT_EQ(wire["signal"], 15);
  ExecCommandReply exited{"r", true, 2, std::nullopt, false, 1, 0, 0, 0, "/"};
  EXPECT_TRUE(to_json(exited)["signal"].is_null());
  EXPECT_EQ(to_json(exited)["exit_code"], 2);
}

TEST(ShellMessages, ExecCommandReplyFromOriginalDaemonDefaultsTheRest) {
  auto parsed = parse_exec_command_reply(json{{"request_id", "r"}, {"accepted", true}});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->accepted);
  EXPECT_FALSE(parsed->exit_code);
  EXPECT_EQ(parsed->truncated_bytes, 0u);
}

TEST(ShellMessages, ExecCommandAllowsEmptyCommandForTheDaemonToRefuse) {
  auto parsed =
      parse_exec_command_request(json{{"request_id", "r"}, {"session_id", "s"}, {"command", ""}});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->command, "");
}

TEST(ShellMessages, StreamOutputAndOutputEventRoundTrip) {
  expect_round_trip(StreamOutputRequest{"r-4", "session-000001", std::nullopt},
                    parse_stream_output_request, kOpStreamOutput);
  expect_round_trip(StreamOutputRequest{"r-4", "session-000001", 1024},
                    parse_stream_output_request);
  expect_round_trip(StreamOutputReply{"r-4", "session-000001", "stderr", "oops\n", false},
                    parse_stream_output_reply, kOpStreamOutput);
  expect_round_trip(StreamOutputReply{"r-4", "session-000001", "stdout", "", true},
                    parse_stream_output_reply);
  expect_round_trip(OutputEvent{"r-3", "stdout", "hello \xE2\x9C\x93\n", 4096, std::nullopt},
                    parse_output_event, kOpOutput);
  // Base64: any bytes, NUL and invalid UTF-8 included, arrive as they were.
  expect_round_trip(OutputEvent{"r-5", "stderr", std::string("\0\xff\xfe raw\n", 8), 7,
                                std::string(kEncodingBase64)},
                    parse_output_event, kOpOutput);
  auto bad = parse_output_event({{"request_id", "r"},
                                 {"stream", "stdout"},
                                 {"data", "%%%"},
                                 {"offset", 0},
                                 {"encoding", "base64"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("payload.data: is not base64"), std::string::npos)
      << bad.error().message;
  EXPECT_FALSE(parse_output_event({{"request_id", "r"},
                                   {"stream", "stdout"},
                                   {"data", ""},
                                   {"offset", 0},
                                   {"encoding", "hex"}}));
}

TEST(ShellMessages, CancelKillListRoundTrip) {
  expect_round_trip(CancelRequest{"r-5", "r-3"}, parse_cancel_request, kOpCancel);
  expect_round_trip(CancelReply{"r-5", true}, parse_cancel_reply);
  expect_round_trip(KillSessionRequest{"r-6", "session-000001"}, parse_kill_session_request,
                    kOpKillSession);
  expect_round_trip(KillSessionReply{"r-6", false}, parse_kill_session_reply);
  expect_round_trip(ListSessionsRequest{"r-7"}, parse_list_sessions_request, kOpListSessions);
  expect_round_trip(ListSessionsReply{"r-7", {}}, parse_list_sessions_reply);
  expect_round_trip(
      ListSessionsReply{"r-7",
                        {{"session-000001", "/shared", true}, {"session-000002", "/tmp", false}}},
      parse_list_sessions_reply);
}

TEST(ShellMessages, ErrorsNameTheFieldWithInvalidRequest) {
  expect_parse_error(parse_exec_command_request, json{{"request_id", "r"}, {"command", "ls"}},
                     ErrorCode::invalid_request, "payload.session_id: is required");
  expect_parse_error(parse_exec_command_request,
                     json{{"request_id", "r"}, {"session_id", "s"}, {"command", 5}},
                     ErrorCode::invalid_request, "payload.command: must be a string");
  expect_parse_error(
      parse_exec_command_request,
      json{{"request_id", "r"}, {"session_id", "s"}, {"command", "x"}, {"timeout_secs", -1}},
      ErrorCode::invalid_request, "payload.timeout_secs: must be a non-negative integer");
  expect_parse_error(
      parse_exec_command_request,
      json{{"request_id", "r"}, {"session_id", "s"}, {"command", "x"}, {"stream", "yes"}},
      ErrorCode::invalid_request, "payload.stream: must be a boolean");
  expect_parse_error(parse_spawn_session_request, json{{"request_id", " "}},
                     ErrorCode::invalid_request, "payload.request_id: must not be blank");
  expect_parse_error(parse_spawn_session_request, json{{"request_id", "r"}, {"env", {{"A", 1}}}},
                     ErrorCode::invalid_request, "payload.env.A: must be a string");
  expect_parse_error(parse_output_event,
                     json{{"request_id", "r"}, {"stream", "stdlog"}, {"data", ""}, {"offset", 0}},
                     ErrorCode::invalid_request, "payload.stream: must be one of: stdout, stderr");
  expect_parse_error(parse_exec_command_reply,
                     json{{"request_id", "r"}, {"accepted", true}, {"exit_code", 1.5}},
                     ErrorCode::invalid_request, "payload.exit_code: must be an integer");
  expect_parse_error(parse_hello_reply,
                     json{{"request_id", "r"},
                          {"protocol_version", 1},
                          {"server", "s"},
                          {"limits", {{"max_frame_bytes", 1}, {"max_sessions", 1}}}},
                     ErrorCode::invalid_request, "payload.limits.max_output_bytes: is required");
  expect_parse_error(parse_list_sessions_reply,
                     json{{"request_id", "r"}, {"sessions", {{{"session_id", "s"}, {"cwd", "/"}}}}},
                     ErrorCode::invalid_request, "payload.sessions[0].running: is required");
  expect_parse_error(parse_list_sessions_request, json::array(), ErrorCode::invalid_request,
                     "payload: must be an object");
}

}  // namespace
}  // namespace oxydra::shell_rpc
