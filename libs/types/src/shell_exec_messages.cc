// Shell daemon RPC: running commands and reading their output.

#include "message_fields.h"
#include "oxydra/sys/base64.h"
#include "oxydra/types/shell_messages.h"

namespace oxydra::shell_rpc {

using detail::finish;
using detail::or_null;
using detail::payload_reader;
using detail::required_boolean;
using detail::required_unsigned;
using nlohmann::json;

json to_json(const ExecCommandRequest& m) {
  json out{{"request_id", m.request_id}, {"session_id", m.session_id}, {"command", m.command}};
  detail::put_optional(out, "timeout_secs", m.timeout_secs);
  detail::put_optional(out, "stdin", m.stdin_data);
  if (m.stream) out["stream"] = true;
  detail::put_optional(out, "max_output_bytes", m.max_output_bytes);
  return out;
}

json to_json(const ExecCommandReply& m) {
  return json{{"request_id", m.request_id},
              {"accepted", m.accepted},
              {"exit_code", or_null(m.exit_code)},
              {"signal", or_null(m.signal)},
              {"timed_out", m.timed_out},
              {"duration_ms", m.duration_ms},
              {"stdout_bytes", m.stdout_bytes},
              {"stderr_bytes", m.stderr_bytes},
              {"truncated_bytes", m.truncated_bytes},
              {"cwd", m.cwd}};
}

json to_json(const StreamOutputRequest& m) {
  json out{{"request_id", m.request_id}, {"session_id", m.session_id}};
  detail::put_optional(out, "max_bytes", m.max_bytes);
  return out;
}

json to_json(const StreamOutputReply& m) {
  return json{{"request_id", m.request_id},
              {"session_id", m.session_id},
              {"stream", m.stream},
              {"data", m.data},
              {"eof", m.eof}};
}

json to_json(const OutputEvent& m) {
  json out{{"request_id", m.request_id},
           {"stream", m.stream},
           {"data", m.encoding ? sys::base64_encode(m.data) : m.data},
           {"offset", m.offset}};
  detail::put_optional(out, "encoding", m.encoding);
  return out;
}

Result<ExecCommandRequest> parse_exec_command_request(const json& payload) {
  auto r = payload_reader(payload);
  ExecCommandRequest m;
  m.request_id = r.nonblank("request_id");
  m.session_id = r.nonblank("session_id");
  m.command = r.string("command");
  detail::refuse_nul(r, "command", m.command);  // stdin may hold any bytes; argv cannot
  m.timeout_secs = r.optional_unsigned("timeout_secs");
  m.stdin_data = r.optional_string("stdin");
  m.stream = r.boolean("stream", false);
  m.max_output_bytes = r.optional_unsigned("max_output_bytes");
  return finish(r, std::move(m));
}

Result<ExecCommandReply> parse_exec_command_reply(const json& payload) {
  auto r = payload_reader(payload);
  ExecCommandReply m;
  m.request_id = r.nonblank("request_id");
  m.accepted = required_boolean(r, "accepted");
  m.exit_code = detail::optional_int(r, "exit_code");
  m.signal = detail::optional_int(r, "signal");
  m.timed_out = r.boolean("timed_out", false);
  m.duration_ms = r.optional_unsigned("duration_ms").value_or(0);
  m.stdout_bytes = r.optional_unsigned("stdout_bytes").value_or(0);
  m.stderr_bytes = r.optional_unsigned("stderr_bytes").value_or(0);
  m.truncated_bytes = r.optional_unsigned("truncated_bytes").value_or(0);
  m.cwd = r.optional_string("cwd").value_or("");
  return finish(r, std::move(m));
}

Result<StreamOutputRequest> parse_stream_output_request(const json& payload) {
  auto r = payload_reader(payload);
  StreamOutputRequest m;
  m.request_id = r.nonblank("request_id");
  m.session_id = r.nonblank("session_id");
  m.max_bytes = r.optional_unsigned("max_bytes");
  return finish(r, std::move(m));
}

Result<StreamOutputReply> parse_stream_output_reply(const json& payload) {
  auto r = payload_reader(payload);
  StreamOutputReply m;
  m.request_id = r.nonblank("request_id");
  m.session_id = r.nonblank("session_id");
  m.stream = detail::one_of(r, "stream", {kStdout, kStderr});
  m.data = r.string("data");
  m.eof = required_boolean(r, "eof");
  return finish(r, std::move(m));
}

Result<OutputEvent> parse_output_event(const json& payload) {
  auto r = payload_reader(payload);
  OutputEvent m;
  m.request_id = r.nonblank("request_id");
  m.stream = detail::one_of(r, "stream", {kStdout, kStderr});
  m.data = r.string("data");
  m.offset = required_unsigned(r, "offset");
  m.encoding = r.optional_string("encoding");
  if (m.encoding && *m.encoding != kEncodingBase64) {
    r.problem("encoding", "must be base64");
  } else if (m.encoding) {
    auto bytes = sys::base64_decode(m.data);
    if (!bytes) {
      r.problem("data", "is not base64");
    } else {
      m.data = std::move(*bytes);
    }
  }
  return finish(r, std::move(m));
}

}  // namespace oxydra::shell_rpc
