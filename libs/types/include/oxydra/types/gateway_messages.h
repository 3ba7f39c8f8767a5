#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"
#include "oxydra/types/startup_status.h"

// Gateway messages (protocol.md §6): user CLI <-> oxydra-vm. Same conventions
// as shell_messages.h.
namespace oxydra::gateway_rpc {

inline constexpr std::string_view kOpHello = "hello";
inline constexpr std::string_view kOpSendMessage = "send_message";
inline constexpr std::string_view kOpTurnEvent = "turn_event";
inline constexpr std::string_view kOpTurnComplete = "turn_complete";
inline constexpr std::string_view kOpCancel = "cancel";
inline constexpr std::string_view kOpNewSession = "new_session";
inline constexpr std::string_view kOpListSessions = "list_sessions";
inline constexpr std::string_view kOpHealth = "health";

// Why a turn ended. An open set: clients show unknown reasons verbatim.
inline constexpr std::string_view kStopCompleted = "completed";
inline constexpr std::string_view kStopMaxTurns = "max_turns";
inline constexpr std::string_view kStopMaxCost = "max_cost";
inline constexpr std::string_view kStopTimeout = "timeout";
inline constexpr std::string_view kStopCancelled = "cancelled";
inline constexpr std::string_view kStopError = "error";

struct HelloRequest {
  std::string request_id;
  std::optional<std::string> session_id;  // resume this session; absent: the latest or a new one
  bool operator==(const HelloRequest&) const = default;
};

struct ToolStatus {
  std::string name;
  bool enabled = false;
  std::optional<std::string> reason;  // why it is disabled
  bool operator==(const ToolStatus&) const = default;
};

struct HelloReply {
  std::string request_id;
  std::string session_id;
  StartupStatusReport startup_status;
  std::vector<ToolStatus> tools;
  bool operator==(const HelloReply&) const = default;
};

struct SendMessageRequest {
  std::string request_id;
  std::string session_id;
  std::string text;
  bool operator==(const SendMessageRequest&) const = default;
};

struct Usage {
  std::uint64_t input_tokens = 0;
  std::uint64_t output_tokens = 0;
  std::optional<double> cost;  // in the currency of the configured model prices
  bool operator==(const Usage&) const = default;
};

enum class TurnEventKind { text_delta, tool_call, tool_result, usage, notice };

std::string_view to_string(TurnEventKind kind);
std::optional<TurnEventKind> parse_turn_event_kind(std::string_view text);

// One streamed event of a turn. Only the fields of its kind go on the wire:
//   text_delta:  text
//   tool_call:   call_id, name, arguments (an object; the model's raw string
//                when it was not valid JSON)
//   tool_result: call_id, name, output, is_error
//   usage:       usage (of one provider call)
//   notice:      code, message (e.g. a retry, a disabled tool)
struct TurnEvent {
  std::string request_id;
  TurnEventKind kind = TurnEventKind::text_delta;
  std::string text;
  std::string call_id;
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();
  std::string output;
  bool is_error = false;
  Usage usage;
  std::string code;
  std::string message;
  bool operator==(const TurnEvent&) const = default;
};

struct TurnComplete {
  std::string request_id;
  std::string text;         // the final assistant text of the turn
  std::string stop_reason;  // kStop*
  Usage usage;              // totals of the turn
  bool operator==(const TurnComplete&) const = default;
};

struct CancelRequest {
  std::string request_id;
  std::string target_request_id;  // the send_message to cancel
  bool operator==(const CancelRequest&) const = default;
};

struct CancelReply {
  std::string request_id;
  bool cancelled = false;
  bool operator==(const CancelReply&) const = default;
};

struct NewSessionRequest {
  std::string request_id;
  bool operator==(const NewSessionRequest&) const = default;
};

struct NewSessionReply {
  std::string request_id;
  std::string session_id;
  bool operator==(const NewSessionReply&) const = default;
};

struct ListSessionsRequest {
  std::string request_id;
  bool operator==(const ListSessionsRequest&) const = default;
};

struct SessionSummary {
  std::string session_id;
  std::string created_at;  // RFC 3339 UTC
  std::string updated_at;
  std::uint64_t message_count = 0;
  bool operator==(const SessionSummary&) const = default;
};

struct ListSessionsReply {
  std::string request_id;
  std::vector<SessionSummary> sessions;  // most recently updated first
  bool operator==(const ListSessionsReply&) const = default;
};

struct HealthRequest {
  std::string request_id;
  bool operator==(const HealthRequest&) const = default;
};

// What the agent has done since oxydra-vm started (counters reset when it
// restarts), for the runner's metrics.
struct AgentCounters {
  std::map<std::string, std::uint64_t> turns;            // by stop_reason
  std::map<std::string, std::uint64_t> provider_errors;  // by error code
  std::uint64_t input_tokens = 0;
  std::uint64_t output_tokens = 0;
  double cost = 0;  // in the currency of the model prices; 0 when they are unknown
  std::uint64_t shell_commands = 0;
  std::uint64_t shell_command_failures = 0;  // did not exit with status 0 (timeouts included)
  std::uint64_t shell_command_timeouts = 0;
  bool operator==(const AgentCounters&) const = default;
};

struct HealthReply {
  std::string request_id;
  StartupStatusReport startup_status;
  std::string provider;
  std::string model;
  std::uint64_t uptime_secs = 0;
  std::optional<AgentCounters> counters;
  bool operator==(const HealthReply&) const = default;
};

nlohmann::json to_json(const AgentCounters& m);
nlohmann::json to_json(const HelloRequest& m);
nlohmann::json to_json(const HelloReply& m);
nlohmann::json to_json(const SendMessageRequest& m);
nlohmann::json to_json(const Usage& m);
nlohmann::json to_json(const TurnEvent& m);
nlohmann::json to_json(const TurnComplete& m);
nlohmann::json to_json(const CancelRequest& m);
nlohmann::json to_json(const CancelReply& m);
nlohmann::json to_json(const NewSessionRequest& m);
nlohmann::json to_json(const NewSessionReply& m);
nlohmann::json to_json(const ListSessionsRequest& m);
nlohmann::json to_json(const ListSessionsReply& m);
nlohmann::json to_json(const HealthRequest& m);
nlohmann::json to_json(const HealthReply& m);

Result<HelloRequest> parse_hello_request(const nlohmann::json& payload);
Result<HelloReply> parse_hello_reply(const nlohmann::json& payload);
Result<SendMessageRequest> parse_send_message_request(const nlohmann::json& payload);
Result<TurnEvent> parse_turn_event(const nlohmann::json& payload);
Result<TurnComplete> parse_turn_complete(const nlohmann::json& payload);
Result<CancelRequest> parse_cancel_request(const nlohmann::json& payload);
Result<CancelReply> parse_cancel_reply(const nlohmann::json& payload);
Result<NewSessionRequest> parse_new_session_request(const nlohmann::json& payload);
Result<NewSessionReply> parse_new_session_reply(const nlohmann::json& payload);
Result<ListSessionsRequest> parse_list_sessions_request(const nlohmann::json& payload);
Result<ListSessionsReply> parse_list_sessions_reply(const nlohmann::json& payload);
Result<HealthRequest> parse_health_request(const nlohmann::json& payload);
Result<HealthReply> parse_health_reply(const nlohmann::json& payload);

}  // namespace oxydra::gateway_rpc
