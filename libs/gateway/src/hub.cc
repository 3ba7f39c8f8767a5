#include "hub.h"

#include <spdlog/spdlog.h>

#include "oxydra/runtime/limits.h"

namespace oxydra::gateway {

namespace rpc = gateway_rpc;

namespace {

void send_reply(Peer& peer, std::string_view op, const nlohmann::json& payload) {
  peer.send(encode_message(op, payload));
}

void send_error(Peer& peer, const std::optional<std::string>& request_id, ErrorCode code,
                std::string_view message) {
  peer.send(encode_message("error", error_payload(request_id, code, message)));
}

void send_error(Peer& peer, const std::optional<std::string>& request_id, const Error& error) {
  const bool known = error.code == ErrorCode::invalid_request || error.code == ErrorCode::busy ||
                     error.code == ErrorCode::unknown_session;
  send_error(peer, request_id, known ? error.code : ErrorCode::internal, error.message);
}

std::vector<rpc::ToolStatus> tool_statuses(const tools::Registry& registry) {
  std::vector<rpc::ToolStatus> out;
  for (const auto& tool : registry.tools()) {
    const tools::Availability a = tool->availability();
    rpc::ToolStatus status{tool->name(), a.enabled, std::nullopt};
    if (!a.enabled) status.reason = a.detail.empty() ? a.reason : a.reason + ": " + a.detail;
    out.push_back(std::move(status));
  }
  return out;
}

runtime::AgentOptions agent_options(const AgentSetup& setup) {
  return runtime::AgentOptions{setup.provider,
                               setup.tools,
                               setup.audit,
                               runtime::turn_limits(setup.config),
                               runtime::system_prompt(setup.config),
                               std::make_shared<runtime::AgentCounters>()};
}

}  // namespace

Hub::Hub(const AgentSetup& setup, Post post)
    : setup_(setup), post_(std::move(post)), agent_(agent_options(setup)), sessions_(setup.store) {}

Hub::~Hub() {
  for (auto& [id, turn] : turns_) {
    turn->control->cancel();
    if (turn->worker.joinable()) turn->worker.join();
  }
}

void Hub::handle(const std::shared_ptr<Peer>& peer, const Message& message) {
  const auto& op = message.op;
  if (op == rpc::kOpHello) return on_hello(*peer, message.payload);
  if (op == rpc::kOpSendMessage) return on_send_message(peer, message.payload);
  if (op == rpc::kOpCancel) return on_cancel(*peer, message.payload);
  if (op == rpc::kOpNewSession) return on_new_session(*peer, message.payload);
  if (op == rpc::kOpListSessions) return on_list_sessions(*peer, message.payload);
  if (op == rpc::kOpHealth) return on_health(*peer, message.payload);
  send_error(*peer, request_id_of(message.payload), ErrorCode::unknown_op, "unknown op: " + op);
}

void Hub::on_hello(Peer& peer, const nlohmann::json& payload) {
  auto request = rpc::parse_hello_request(payload);
  if (!request) return send_error(peer, request_id_of(payload), request.error());
  if (request->session_id) {
    if (auto selected = sessions_.select(*request->session_id); !selected) {
      return send_error(peer, request->request_id, selected.error());
    }
  }
  auto session = sessions_.current();
  if (!session) return send_error(peer, request->request_id, session.error());
  rpc::HelloReply reply{request->request_id, *session, setup_.startup_status,
                        tool_statuses(*setup_.tools)};
  send_reply(peer, rpc::kOpHello, rpc::to_json(reply));
}

void Hub::on_send_message(const std::shared_ptr<Peer>& peer, const nlohmann::json& payload) {
  auto request = rpc::parse_send_message_request(payload);
  if (!request) return send_error(*peer, request_id_of(payload), request.error());
  auto exists = sessions_.exists(request->session_id);
  if (!exists) return send_error(*peer, request->request_id, exists.error());
  if (!*exists) {
    return send_error(*peer, request->request_id, ErrorCode::unknown_session,
                      "unknown session: " + request->session_id);
  }
  if (turns_.count(request->session_id) > 0) {
    return send_error(*peer, request->request_id, ErrorCode::busy,
                      "session " + request->session_id + " is already running a turn");
  }
  auto turn = std::make_unique<Turn>();
  turn->request_id = request->request_id;
  turn->session_id = request->session_id;
  turn->peer = peer;
  turn->peer_key = peer.get();
  turn->control = std::make_shared<runtime::TurnControl>();
  turn->state = sessions_.state(request->session_id);
  turn->state->busy = true;
  spdlog::info("turn {} started in session {}", turn->request_id, turn->session_id);
  Turn& started = *turn;
  turns_[request->session_id] = std::move(turn);
  started.worker = std::thread([this, &started, text = std::move(request->text)]() mutable {
    run_turn(started, std::move(text));
  });
}

void Hub::run_turn(Turn& turn, std::string text) {
  // Only immutable fields of `turn` are read here; the server thread leaves
  // them alone until finish_turn, which this thread posts last.
  SessionState& state = *turn.state;
  runtime::TurnResult result;
  if (!state.conversation) {
    if (setup_.store) {
      auto loaded = runtime::Conversation::resume(setup_.store, turn.session_id);
      if (loaded)
        state.conversation = std::move(*loaded);
      else
        result.error = loaded.error();
    } else {
      state.conversation.emplace(turn.session_id);
    }
    if (state.conversation) {
      const auto& restored = state.conversation->restored();
      if (restored.dropped_in_flight + restored.interrupted_calls + restored.dropped_orphans > 0) {
        spdlog::warn(
            "session {} resumed: dropped {} unfinished message(s), marked {} tool call(s) "
            "interrupted, dropped {} orphan result(s)",
            turn.session_id, restored.dropped_in_flight, restored.interrupted_calls,
            restored.dropped_orphans);
      }
    }
  }
  if (state.conversation) {
    auto sink = [post = post_, peer = turn.peer,
                 request_id = turn.request_id](const rpc::TurnEvent& event) {
      rpc::TurnEvent copy = event;
      copy.request_id = request_id;
      post([peer, frame = encode_message(rpc::kOpTurnEvent, rpc::to_json(copy))]() mutable {
        if (auto p = peer.lock()) p->send(std::move(frame));
      });
    };
    result = agent_.run_turn(*state.conversation, std::move(text), *turn.control, sink);
  } else {
    result.stop_reason = std::string(rpc::kStopError);
  }
  const std::uint64_t count = state.conversation ? state.conversation->messages().size() : 0;
  post_([this, session_id = turn.session_id, result = std::move(result), count]() mutable {
    finish_turn(session_id, std::move(result), count);
  });
}

void Hub::finish_turn(const std::string& session_id, runtime::TurnResult result,
                      std::uint64_t message_count) {
  auto it = turns_.find(session_id);
  if (it == turns_.end()) return;
  std::unique_ptr<Turn> turn = std::move(it->second);
  turns_.erase(it);
  turn->worker.join();
  turn->state->busy = false;
  sessions_.touch(session_id, message_count);
  spdlog::info("turn {} in session {}: {} ({} model call(s), {} tool call(s), {}+{} tokens){}",
               turn->request_id, session_id, result.stop_reason, result.model_calls,
               result.tool_calls, result.usage.input_tokens, result.usage.output_tokens,
               result.error ? ": " + result.error->message : std::string());
  if (auto peer = turn->peer.lock()) {
    if (result.error && !result.error_notified) {
      // Failed before the loop could report it (the session did not load).
      rpc::TurnEvent notice;
      notice.request_id = turn->request_id;
      notice.kind = rpc::TurnEventKind::notice;
      notice.code = to_string(result.error->code);
      notice.message = result.error->message;
      send_reply(*peer, rpc::kOpTurnEvent, rpc::to_json(notice));
    }
    rpc::TurnComplete complete{turn->request_id, std::move(result.text), result.stop_reason,
                               result.usage};
    send_reply(*peer, rpc::kOpTurnComplete, rpc::to_json(complete));
  }
  if (turns_.empty() && on_idle_) on_idle_();
}

void Hub::on_cancel(Peer& peer, const nlohmann::json& payload) {
  auto request = rpc::parse_cancel_request(payload);
  if (!request) return send_error(peer, request_id_of(payload), request.error());
  bool cancelled = false;
  for (auto& [id, turn] : turns_) {
    if (turn->peer_key == &peer && turn->request_id == request->target_request_id) {
      cancelled = turn->control->cancel();
    }
  }
  send_reply(peer, rpc::kOpCancel, rpc::to_json(rpc::CancelReply{request->request_id, cancelled}));
}

void Hub::on_new_session(Peer& peer, const nlohmann::json& payload) {
  auto request = rpc::parse_new_session_request(payload);
  if (!request) return send_error(peer, request_id_of(payload), request.error());
  auto session = sessions_.create();
  if (!session) return send_error(peer, request->request_id, session.error());
  send_reply(peer, rpc::kOpNewSession,
             rpc::to_json(rpc::NewSessionReply{request->request_id, *session}));
}

void Hub::on_list_sessions(Peer& peer, const nlohmann::json& payload) {
  auto request = rpc::parse_list_sessions_request(payload);
  if (!request) return send_error(peer, request_id_of(payload), request.error());
  auto sessions = sessions_.list();
  if (!sessions) return send_error(peer, request->request_id, sessions.error());
  send_reply(peer, rpc::kOpListSessions,
             rpc::to_json(rpc::ListSessionsReply{request->request_id, std::move(*sessions)}));
}

void Hub::on_health(Peer& peer, const nlohmann::json& payload) {
  auto request = rpc::parse_health_request(payload);
  if (!request) return send_error(peer, request_id_of(payload), request.error());
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
  rpc::HealthReply reply{request->request_id,
                         setup_.startup_status,
                         setup_.config.provider,
                         setup_.config.selected_provider().model,
                         static_cast<std::uint64_t>(uptime.count()),
                         agent_.options().counters->snapshot()};
  send_reply(peer, rpc::kOpHealth, rpc::to_json(reply));
}

void Hub::peer_closed(const Peer* peer) {
  for (auto& [id, turn] : turns_) {
    if (turn->peer_key == peer && turn->control->cancel()) {
      spdlog::info("turn {} cancelled: its client disconnected", turn->request_id);
    }
  }
}

std::size_t Hub::cancel_all() {
  for (auto& [id, turn] : turns_)
    turn->control->cancel();
  return turns_.size();
}

}  // namespace oxydra::gateway
