// Gateway: a turn (send_message, its streamed events and its completion).

#include "message_fields.h"
#include "oxydra/types/gateway_messages.h"

namespace oxydra::gateway_rpc {

using detail::finish;
using detail::payload_reader;
using nlohmann::json;

namespace {

struct KindName {
  TurnEventKind kind;
  std::string_view name;
};

constexpr KindName kKinds[] = {
    {TurnEventKind::text_delta, "text_delta"},   {TurnEventKind::tool_call, "tool_call"},
    {TurnEventKind::tool_result, "tool_result"}, {TurnEventKind::usage, "usage"},
    {TurnEventKind::notice, "notice"},
};

Result<Usage> parse_usage(const json& object, const std::string& path) {
  JsonReader r(object, path, ErrorCode::invalid_request);
  Usage usage;
  usage.input_tokens = r.optional_unsigned("input_tokens").value_or(0);
  usage.output_tokens = r.optional_unsigned("output_tokens").value_or(0);
  usage.cost = r.optional_number("cost");
  if (usage.cost && *usage.cost < 0) r.problem("cost", "must not be negative");
  return finish(r, usage);
}

Result<Usage> required_usage(JsonReader& r) {
  const json* usage = r.object("usage", true);
  if (!r.ok()) return r.error();
  return parse_usage(*usage, r.child_path("usage"));
}

}  // namespace

std::string_view to_string(TurnEventKind kind) {
  for (const auto& entry : kKinds) {
    if (entry.kind == kind) return entry.name;
  }
  return "unknown";
}

std::optional<TurnEventKind> parse_turn_event_kind(std::string_view text) {
  for (const auto& entry : kKinds) {
    if (entry.name == text) return entry.kind;
  }
  return std::nullopt;
}

json to_json(const SendMessageRequest& m) {
  return json{{"request_id", m.request_id}, {"session_id", m.session_id}, {"text", m.text}};
}

json to_json(const Usage& m) {
  json out{{"input_tokens", m.input_tokens}, {"output_tokens", m.output_tokens}};
  detail::put_optional(out, "cost", m.cost);
  return out;
}

json to_json(const TurnEvent& m) {
  json out{{"request_id", m.request_id}, {"kind", to_string(m.kind)}};
  switch (m.kind) {
    case TurnEventKind::text_delta:
      out["text"] = m.text;
      break;
    case TurnEventKind::tool_call:
      out["call_id"] = m.call_id;
      out["name"] = m.name;
      out["arguments"] = m.arguments;
      break;
    case TurnEventKind::tool_result:
      out["call_id"] = m.call_id;
      out["name"] = m.name;
      out["output"] = m.output;
      out["is_error"] = m.is_error;
      break;
    case TurnEventKind::usage:
      out["usage"] = to_json(m.usage);
      break;
    case TurnEventKind::notice:
      out["code"] = m.code;
      out["message"] = m.message;
      break;
  }
  return out;
}

json to_json(const TurnComplete& m) {
  return json{{"request_id", m.request_id},
              {"text", m.text},
              {"stop_reason", m.stop_reason},
              {"usage", to_json(m.usage)}};
}

Result<SendMessageRequest> parse_send_message_request(const json& payload) {
  auto r = payload_reader(payload);
  SendMessageRequest m;
  m.request_id = r.nonblank("request_id");
  m.session_id = r.nonblank("session_id");
  m.text = r.nonblank("text");
  return finish(r, std::move(m));
}

Result<TurnEvent> parse_turn_event(const json& payload) {
  auto r = payload_reader(payload);
  TurnEvent m;
  m.request_id = r.nonblank("request_id");
  std::string kind = r.string("kind");
  if (!r.ok()) return r.error();
  auto parsed = parse_turn_event_kind(kind);
  if (!parsed) {
    r.problem("kind", "must be one of: text_delta, tool_call, tool_result, usage, notice");
    return r.error();
  }
  m.kind = *parsed;
  switch (m.kind) {
    case TurnEventKind::text_delta:
      m.text = r.string("text");
      break;
    case TurnEventKind::tool_call:
      m.call_id = r.nonblank("call_id");
      m.name = r.nonblank("name");
      if (const json* arguments = detail::raw_field(payload, "arguments")) m.arguments = *arguments;
      break;
    case TurnEventKind::tool_result:
      m.call_id = r.nonblank("call_id");
      m.name = r.nonblank("name");
      m.output = r.string("output");
      m.is_error = r.boolean("is_error", false);
      break;
    case TurnEventKind::usage: {
      auto usage = required_usage(r);
      if (!usage) return tl::unexpected(usage.error());
      m.usage = *usage;
      break;
    }
    case TurnEventKind::notice:
      m.code = r.nonblank("code");
      m.message = r.string("message");
      break;
  }
  return finish(r, std::move(m));
}

Result<TurnComplete> parse_turn_complete(const json& payload) {
  auto r = payload_reader(payload);
  TurnComplete m;
  m.request_id = r.nonblank("request_id");
  m.text = r.string("text");
  m.stop_reason = r.nonblank("stop_reason");
  if (!r.ok()) return r.error();
  auto usage = required_usage(r);
  if (!usage) return tl::unexpected(usage.error());
  m.usage = *usage;
  return m;
}

}  // namespace oxydra::gateway_rpc
