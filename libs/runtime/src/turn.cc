#include "turn.h"

#include <spdlog/spdlog.h>

#include "audit_record.h"
#include "tool_dispatch.h"

namespace oxydra::runtime {

namespace {

using gateway_rpc::TurnEvent;
using gateway_rpc::TurnEventKind;

// The tool whose calls count as shell commands in AgentCounters.
constexpr std::string_view kShellToolName = "shell_exec";

TurnEvent event_of(TurnEventKind kind) {
  TurnEvent event;
  event.kind = kind;
  return event;
}

nlohmann::json arguments_json(const std::string& text) {
  auto args = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return args.is_object() ? args : nlohmann::json(text);
}

}  // namespace

Turn::Turn(const AgentOptions& options, Conversation& conversation, TurnControl& control,
           const TurnEventSink& sink)
    : options_(options), conversation_(conversation), control_(control), sink_(sink) {}

TurnResult Turn::run(std::string user_text) {
  if (auto saved = conversation_.add_user(std::move(user_text)); !saved) {
    return failed(saved.error());
  }
  build_request();
  for (;;) {
    if (control_.stopped()) return stopped();
    auto response = call_model();
    if (!response) return std::move(*result_);
    const auto& calls = response->tool_calls;
    if (calls.empty()) return finish(gateway_rpc::kStopCompleted);
    for (const auto& call : calls) {
      TurnEvent event = event_of(TurnEventKind::tool_call);
      event.call_id = call.id;
      event.name = call.name;
      event.arguments = arguments_json(call.arguments);
      emit(event);
    }
    if (control_.stopped()) {
      const std::string why = "not run: the turn was stopped (" + *control_.reason() + ")";
      return skip_tools(calls, why) ? stopped() : std::move(*result_);
    }
    if (over_cost()) {
      return skip_tools(calls, "not run: the turn reached its cost limit")
                 ? finish(gateway_rpc::kStopMaxCost)
                 : std::move(*result_);
    }
    if (model_calls_ >= options_.limits.max_turns) {
      const std::string why = "not run: the turn reached its limit of " +
                              std::to_string(options_.limits.max_turns) + " model calls";
      return skip_tools(calls, why) ? finish(gateway_rpc::kStopMaxTurns) : std::move(*result_);
    }
    if (!run_tools(calls)) return std::move(*result_);
  }
}

std::optional<provider::ChatResponse> Turn::call_model() {
  ++model_calls_;
  std::string partial;
  auto on_event = [&](const provider::ChatEvent& event) {
    if (event.kind == provider::ChatEvent::Kind::text_delta && !event.text.empty()) {
      partial += event.text;
      TurnEvent delta = event_of(TurnEventKind::text_delta);
      delta.text = event.text;
      emit(delta);
    }
  };
  auto response = options_.provider->stream_chat(request_, on_event, control_.token());
  if (!response) {
    // What the user already saw of a cut-off answer stays in the history.
    last_text_ = partial;
    if (!partial.empty()) {
      if (auto kept = conversation_.add_assistant(std::move(partial)); !kept) {
        spdlog::warn("{}", kept.error().message);
      }
    }
    if (!control_.stopped() && options_.counters) {
      options_.counters->provider_failed(response.error().code);
    }
    result_ = control_.stopped() ? stopped() : failed(response.error());
    return std::nullopt;
  }
  add_usage(response->usage);
  last_text_ = response->text;
  if (auto saved = conversation_.add_assistant(response->text, response->tool_calls); !saved) {
    result_ = failed(saved.error());
    return std::nullopt;
  }
  request_.messages.push_back(conversation_.messages().back());
  return std::move(*response);
}

bool Turn::run_tools(const std::vector<provider::ToolCall>& calls) {
  dispatch_tool_calls(*options_.tools, calls, conversation_.session_id(), control_.stop_token(),
                      [this](const provider::ToolCall& call, const tools::ToolOutput& output) {
                        record_result(call, output);
                      });
  if (save_error_) {
    result_ = failed(*save_error_);
    return false;
  }
  return true;
}

bool Turn::skip_tools(const std::vector<provider::ToolCall>& calls, std::string_view why) {
  for (const auto& call : calls) {
    tools::ToolOutput output = tools::ToolOutput::failure("not_run", std::string(why));
    output.metadata.output_bytes = output.text.size();
    record_result(call, output);
  }
  if (save_error_) {
    result_ = failed(*save_error_);
    return false;
  }
  return true;
}

// Runs serialised (dispatch_tool_calls holds its lock).
bool Turn::record_result(const provider::ToolCall& call, const tools::ToolOutput& output) {
  ++tool_calls_;
  if (options_.counters && call.name == kShellToolName) options_.counters->shell_command(output);
  if (options_.audit) {
    if (auto line = options_.audit->append(audit_record(conversation_.session_id(), call, output));
        !line) {
      spdlog::error("audit: {}", line.error().message);
    }
  }
  TurnEvent event = event_of(TurnEventKind::tool_result);
  event.call_id = call.id;
  event.name = call.name;
  event.output = output.text;
  event.is_error = output.is_error;
  emit(event);
  if (output.metadata.error_code == tools::tool_error::kDisabled) {
    // The user should know the agent could not do what the model tried.
    TurnEvent notice = event_of(TurnEventKind::notice);
    notice.code = tools::tool_error::kDisabled;
    notice.message = output.text;
    emit(notice);
  }
  if (auto saved = conversation_.add_tool_result(call, output); !saved) {
    if (!save_error_) save_error_ = saved.error();
    return false;
  }
  request_.messages.push_back(conversation_.messages().back());
  return true;
}

void Turn::add_usage(const provider::Usage& usage) {
  gateway_rpc::Usage call;
  call.input_tokens = static_cast<std::uint64_t>(std::max<std::int64_t>(usage.input_tokens, 0));
  call.output_tokens = static_cast<std::uint64_t>(std::max<std::int64_t>(usage.output_tokens, 0));
  call.cost = usage_cost(options_.limits, usage.input_tokens, usage.output_tokens);
  usage_.input_tokens += call.input_tokens;
  usage_.output_tokens += call.output_tokens;
  if (call.cost) usage_.cost = usage_.cost.value_or(0.0) + *call.cost;
  if (options_.counters) {
    options_.counters->model_usage(call.input_tokens, call.output_tokens, call.cost);
  }
  TurnEvent event = event_of(TurnEventKind::usage);
  event.usage = call;
  emit(event);
}

bool Turn::over_cost() const {
  return options_.limits.max_cost && usage_.cost && *usage_.cost >= *options_.limits.max_cost;
}

void Turn::build_request() {
  request_.messages.clear();
  request_.messages.reserve(conversation_.messages().size() + 8);
  if (!options_.system_prompt.empty()) {
    request_.messages.push_back(provider::ChatMessage::system(options_.system_prompt));
  }
  request_.messages.insert(request_.messages.end(), conversation_.messages().begin(),
                           conversation_.messages().end());
  request_.tools.clear();
  for (const auto& def : options_.tools->definitions()) {
    request_.tools.push_back(provider::ToolSpec{def["name"].get<std::string>(),
                                                def["description"].get<std::string>(),
                                                def["parameters"].dump()});
  }
}

void Turn::emit(const TurnEvent& event) {
  if (sink_) sink_(event);
}

TurnResult Turn::finish(std::string_view stop_reason) {
  TurnResult result;
  result.text = last_text_;
  result.stop_reason = std::string(stop_reason);
  result.usage = usage_;
  result.model_calls = model_calls_;
  result.tool_calls = tool_calls_;
  return result;
}

TurnResult Turn::stopped() {
  return finish(control_.reason().value_or(std::string(gateway_rpc::kStopCancelled)));
}

TurnResult Turn::failed(const Error& error) {
  TurnEvent notice = event_of(TurnEventKind::notice);
  notice.code = to_string(error.code);
  notice.message = error.message;
  emit(notice);
  TurnResult result = finish(gateway_rpc::kStopError);
  result.error = error;
  result.error_notified = true;
  return result;
}

}  // namespace oxydra::runtime
