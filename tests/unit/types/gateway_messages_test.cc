#include "oxydra/types/gateway_messages.h"

#include <gtest/gtest.h>

#include "round_trip.h"

namespace oxydra::gateway_rpc {
namespace {

using nlohmann::json;
using oxydra::testing::expect_parse_error;
using oxydra::testing::expect_round_trip;

StartupStatusReport process_status() {
  StartupStatusReport s;
  s.degraded_reasons = {{std::string(degraded::kInsecureProcessTier), "shell disabled"}};
  return s;
}

TEST(GatewayMessages, HelloRoundTrips) {
  expect_round_trip(HelloRequest{"r-1", std::nullopt}, parse_hello_request, kOpHello);
  expect_round_trip(HelloRequest{"r-1", "sess-7"}, parse_hello_request);
  HelloReply reply{"r-1",
                   "sess-7",
                   process_status(),
                   {{"shell_exec", false, "insecure_process_tier: no shell on the process tier"},
                    {"file_read", true, std::nullopt}}};
  expect_round_trip(reply, parse_hello_reply, kOpHello);
}

TEST(GatewayMessages, SendMessageRoundTrips) {
  expect_round_trip(SendMessageRequest{"r-2", "sess-7", "list my files"},
                    parse_send_message_request, kOpSendMessage);
}

TEST(GatewayMessages, EveryTurnEventKindRoundTrips) {
  TurnEvent delta;
  delta.request_id = "r-2";
  delta.kind = TurnEventKind::text_delta;
  delta.text = "Hel";
  expect_round_trip(delta, parse_turn_event, kOpTurnEvent);

  TurnEvent call;
  call.request_id = "r-2";
  call.kind = TurnEventKind::tool_call;
  call.call_id = "call_1";
  call.name = "shell_exec";
  call.arguments = {{"command", "ls"}, {"timeout_secs", 5}};
  expect_round_trip(call, parse_turn_event);
  call.arguments = "{not json";  // the model's raw arguments
  expect_round_trip(call, parse_turn_event);

  TurnEvent result;
  result.request_id = "r-2";
  result.kind = TurnEventKind::tool_result;
  result.call_id = "call_1";
  result.name = "shell_exec";
  result.output = "a.txt\nb.txt\n";
  result.is_error = true;
  expect_round_trip(result, parse_turn_event);

  TurnEvent usage;
  usage.request_id = "r-2";
  usage.kind = TurnEventKind::usage;
  usage.usage = {1200, 80, 0.0042};
  expect_round_trip(usage, parse_turn_event);
  usage.usage.cost.reset();
  expect_round_trip(usage, parse_turn_event);

  TurnEvent notice;
  notice.request_id = "r-2";
  notice.kind = TurnEventKind::notice;
  notice.code = "retrying";
  notice.message = "provider returned 429, retrying in 2 s";
  expect_round_trip(notice, parse_turn_event);
}

TEST(GatewayMessages, TurnEventCarriesOnlyItsKindsFields) {
  TurnEvent delta;
  delta.request_id = "r";
  delta.text = "x";
  const json wire = to_json(delta);
  EXPECT_EQ(wire.size(), 3u) << wire.dump();
  EXPECT_EQ(wire["kind"], "text_delta");
}

TEST(GatewayMessages, TurnCompleteRoundTrips) {
  expect_round_trip(
      TurnComplete{"r-2", "Here are your files.", std::string(kStopCompleted), {3000, 200, 0.01}},
      parse_turn_complete, kOpTurnComplete);
  expect_round_trip(TurnComplete{"r-2", "", std::string(kStopMaxTurns), {}}, parse_turn_complete);
}

TEST(GatewayMessages, SessionsCancelHealthRoundTrip) {
  expect_round_trip(CancelRequest{"r-3", "r-2"}, parse_cancel_request, kOpCancel);
  expect_round_trip(CancelReply{"r-3", true}, parse_cancel_reply);
  expect_round_trip(NewSessionRequest{"r-4"}, parse_new_session_request, kOpNewSession);
  expect_round_trip(NewSessionReply{"r-4", "sess-8"}, parse_new_session_reply);
  expect_round_trip(ListSessionsRequest{"r-5"}, parse_list_sessions_request, kOpListSessions);
  expect_round_trip(
      ListSessionsReply{"r-5",
                        {{"sess-8", "2024-05-01T10:00:00Z", "2024-05-01T10:05:00Z", 4},
                         {"sess-7", "2024-04-30T09:00:00Z", "2024-04-30T09:01:00Z", 12}}},
      parse_list_sessions_reply);
  expect_round_trip(HealthRequest{"r-6"}, parse_health_request, kOpHealth);
  expect_round_trip(
      HealthReply{"r-6", process_status(), "openai", "gpt-4o-mini", 3600, std::nullopt},
      parse_health_reply, kOpHealth);
  AgentCounters counters;
  counters.turns = {{"completed", 3}, {"error", 1}};
  counters.provider_errors = {{"http_error", 1}};
  counters.input_tokens = 1200;
  counters.output_tokens = 80;
  counters.cost = 0.25;
  counters.shell_commands = 4;
  counters.shell_command_failures = 2;
  counters.shell_command_timeouts = 1;
  expect_round_trip(HealthReply{"r-7", process_status(), "openai", "gpt-4o-mini", 60, counters},
                    parse_health_reply, kOpHealth);
}

TEST(GatewayMessages, AgentCountersFromAGuestAreChecked) {
  auto reply = to_json(HealthReply{"r-1", process_status(), "openai", "m", 1, AgentCounters{}});
  reply["counters"]["turns"] = {{"completed", -1}};
  auto parsed = parse_health_reply(reply);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("payload.counters.turns"), std::string::npos)
      << parsed.error().message;
  reply["counters"]["turns"] = nlohmann::json::object();
  for (int i = 0; i < 300; ++i)
    reply["counters"]["turns"]["reason" + std::to_string(i)] = 1;
  EXPECT_FALSE(parse_health_reply(reply));
  reply["counters"] = "lots";
  EXPECT_FALSE(parse_health_reply(reply));
}

TEST(GatewayMessages, TurnEventKindNames) {
  for (auto kind : {TurnEventKind::text_delta, TurnEventKind::tool_call, TurnEventKind::tool_result,
                    TurnEventKind::usage, TurnEventKind::notice}) {
    EXPECT_EQ(parse_turn_event_kind(to_string(kind)), kind);
  }
  EXPECT_FALSE(parse_turn_event_kind("thinking"));
}

TEST(GatewayMessages, ErrorsNameTheField) {
  const ErrorCode code = ErrorCode::invalid_request;
  expect_parse_error(parse_turn_event, json{{"request_id", "r"}, {"kind", "thinking"}}, code,
                     "payload.kind: must be one of: text_delta, tool_call");
  expect_parse_error(parse_turn_event, json{{"request_id", "r"}, {"kind", "tool_call"}}, code,
                     "payload.call_id: is required");
  expect_parse_error(parse_turn_event, json{{"request_id", "r"}, {"kind", "usage"}}, code,
                     "payload.usage: is required");
  expect_parse_error(parse_turn_event,
                     json{{"request_id", "r"}, {"kind", "usage"}, {"usage", {{"cost", -1.0}}}},
                     code, "payload.usage.cost: must not be negative");
  expect_parse_error(parse_send_message_request, json{{"request_id", "r"}, {"session_id", "s"}},
                     code, "payload.text: is required");
  expect_parse_error(parse_send_message_request,
                     json{{"request_id", "r"}, {"session_id", "s"}, {"text", "  "}}, code,
                     "payload.text: must not be blank");
  expect_parse_error(parse_turn_complete,
                     json{{"request_id", "r"}, {"text", ""}, {"usage", json::object()}}, code,
                     "payload.stop_reason: is required");
  expect_parse_error(parse_hello_request, json{{"request_id", "r"}, {"session_id", " "}}, code,
                     "payload.session_id: must not be blank");
  expect_parse_error(parse_hello_reply,
                     json{{"request_id", "r"},
                          {"session_id", "s"},
                          {"startup_status", to_json(process_status())},
                          {"tools", {{{"name", "x"}}}}},
                     code, "payload.tools[0].enabled: is required");
}

}  // namespace
}  // namespace oxydra::gateway_rpc
