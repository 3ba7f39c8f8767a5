#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"

// Shell daemon RPC messages (protocol.md §4). Each payload type has
// `to_json` and `parse_*`; parse errors have code "invalid_request" and name the
// field ("payload.session_id: is required"). Optional fields that are absent are
// omitted on the wire, except `exit_code` and `signal`, which are always sent
// (null when absent).
namespace oxydra::shell_rpc {

inline constexpr int kProtocolVersion = 1;

inline constexpr std::string_view kOpHello = "hello";
inline constexpr std::string_view kOpSpawnSession = "spawn_session";
inline constexpr std::string_view kOpExecCommand = "exec_command";
inline constexpr std::string_view kOpStreamOutput = "stream_output";
inline constexpr std::string_view kOpOutput = "output";  // event, with `stream: true`
// The binary-safe encoding of `output` events a client may ask for in hello.
inline constexpr std::string_view kEncodingBase64 = "base64";
inline constexpr std::string_view kOpCancel = "cancel";
inline constexpr std::string_view kOpKillSession = "kill_session";
inline constexpr std::string_view kOpListSessions = "list_sessions";
inline constexpr std::string_view kOpError = "error";

inline constexpr std::string_view kStdout = "stdout";
inline constexpr std::string_view kStderr = "stderr";

inline constexpr std::uint64_t kDefaultMaxOutputBytes = 64u << 10;

struct HelloRequest {
  std::string request_id;
  int protocol_version = kProtocolVersion;
  std::string client;
  // Extension: encodings of `output` events the client can read, best first
  // ("base64"); empty: events carry `data` as a JSON string.
  std::vector<std::string> output_encodings;
  bool operator==(const HelloRequest&) const = default;
};

struct Limits {
  std::uint64_t max_frame_bytes = 0;
  std::uint64_t max_sessions = 0;
  std::uint64_t max_output_bytes = 0;
  bool operator==(const Limits&) const = default;
};

struct HelloReply {
  std::string request_id;
  int protocol_version = kProtocolVersion;
  std::string server;
  std::vector<std::string> capabilities;
  Limits limits;
  std::optional<std::string> output_encoding;  // extension: the one chosen, when any
  bool operator==(const HelloReply&) const = default;
};

struct SpawnSessionRequest {
  std::string request_id;
  std::optional<std::string> shell;
  std::optional<std::string> cwd;
  std::map<std::string, std::string> env;
  bool login = false;  // extension: commands run in a login shell (`sh -lc`), as the original's
  bool operator==(const SpawnSessionRequest&) const = default;
};

struct SpawnSessionReply {
  std::string request_id;
  std::string session_id;
  bool operator==(const SpawnSessionReply&) const = default;
};

// `command` may be empty here: the daemon answers that with `empty_command`.
struct ExecCommandRequest {
  std::string request_id;
  std::string session_id;
  std::string command;
  std::optional<std::uint64_t> timeout_secs;
  std::optional<std::string> stdin_data;  // wire name `stdin`
  bool stream = false;                    // omitted on the wire when false
  std::optional<std::uint64_t> max_output_bytes;
  bool operator==(const ExecCommandRequest&) const = default;
};

// Only `request_id` and `accepted` are required when parsing: Oxydra's
// original daemon sends just those, and the rest default to zero/empty.
struct ExecCommandReply {
  std::string request_id;
  bool accepted = false;
  std::optional<int> exit_code;  // null when killed by a signal or not run
  std::optional<int> signal;
  bool timed_out = false;
  std::uint64_t duration_ms = 0;
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;
  std::uint64_t truncated_bytes = 0;
  std::string cwd;
  bool operator==(const ExecCommandReply&) const = default;
};

struct StreamOutputRequest {
  std::string request_id;
  std::string session_id;
  std::optional<std::uint64_t> max_bytes;
  bool operator==(const StreamOutputRequest&) const = default;
};

struct StreamOutputReply {
  std::string request_id;
  std::string session_id;
  std::string stream{kStdout};  // kStdout | kStderr
  std::string data;
  bool eof = false;
  bool operator==(const StreamOutputReply&) const = default;
};

// op "output": a chunk of a running command's output (exec_command with stream).
struct OutputEvent {
  std::string request_id;
  std::string stream{kStdout};  // kStdout | kStderr
  std::string data;
  std::uint64_t offset = 0;  // byte position of this chunk within its stream
  // "base64" when hello negotiated it: `data` (as parsed) is then the raw bytes.
  std::optional<std::string> encoding;
  bool operator==(const OutputEvent&) const = default;
};

struct CancelRequest {
  std::string request_id;
  std::string target_request_id;
  bool operator==(const CancelRequest&) const = default;
};

struct CancelReply {
  std::string request_id;
  bool cancelled = false;
  bool operator==(const CancelReply&) const = default;
};

struct KillSessionRequest {
  std::string request_id;
  std::string session_id;
  bool operator==(const KillSessionRequest&) const = default;
};

struct KillSessionReply {
  std::string request_id;
  bool killed = false;
  bool operator==(const KillSessionReply&) const = default;
};

struct ListSessionsRequest {
  std::string request_id;
  bool operator==(const ListSessionsRequest&) const = default;
};

struct SessionInfo {
  std::string session_id;
  std::string cwd;
  bool running = false;
  bool operator==(const SessionInfo&) const = default;
};

struct ListSessionsReply {
  std::string request_id;
  std::vector<SessionInfo> sessions;
  bool operator==(const ListSessionsReply&) const = default;
};

nlohmann::json to_json(const HelloRequest& m);
nlohmann::json to_json(const HelloReply& m);
nlohmann::json to_json(const SpawnSessionRequest& m);
nlohmann::json to_json(const SpawnSessionReply& m);
nlohmann::json to_json(const ExecCommandRequest& m);
nlohmann::json to_json(const ExecCommandReply& m);
nlohmann::json to_json(const StreamOutputRequest& m);
nlohmann::json to_json(const StreamOutputReply& m);
nlohmann::json to_json(const OutputEvent& m);
nlohmann::json to_json(const CancelRequest& m);
nlohmann::json to_json(const CancelReply& m);
nlohmann::json to_json(const KillSessionRequest& m);
nlohmann::json to_json(const KillSessionReply& m);
nlohmann::json to_json(const ListSessionsRequest& m);
nlohmann::json to_json(const ListSessionsReply& m);

Result<HelloRequest> parse_hello_request(const nlohmann::json& payload);
Result<HelloReply> parse_hello_reply(const nlohmann::json& payload);
Result<SpawnSessionRequest> parse_spawn_session_request(const nlohmann::json& payload);
Result<SpawnSessionReply> parse_spawn_session_reply(const nlohmann::json& payload);
Result<ExecCommandRequest> parse_exec_command_request(const nlohmann::json& payload);
Result<ExecCommandReply> parse_exec_command_reply(const nlohmann::json& payload);
Result<StreamOutputRequest> parse_stream_output_request(const nlohmann::json& payload);
Result<StreamOutputReply> parse_stream_output_reply(const nlohmann::json& payload);
Result<OutputEvent> parse_output_event(const nlohmann::json& payload);
Result<CancelRequest> parse_cancel_request(const nlohmann::json& payload);
Result<CancelReply> parse_cancel_reply(const nlohmann::json& payload);
Result<KillSessionRequest> parse_kill_session_request(const nlohmann::json& payload);
Result<KillSessionReply> parse_kill_session_reply(const nlohmann::json& payload);
Result<ListSessionsRequest> parse_list_sessions_request(const nlohmann::json& payload);
Result<ListSessionsReply> parse_list_sessions_reply(const nlohmann::json& payload);

}  // namespace oxydra::shell_rpc
