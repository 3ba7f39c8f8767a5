#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "cli/cli_errors.h"
#include "cli/commands.h"
#include "cli/control_client.h"
#include "cli/interrupt.h"
#include "oxydra/gateway_client/client.h"

namespace oxydra::runner {

namespace {

using gateway_rpc::TurnEvent;
using gateway_rpc::TurnEventKind;

// The gateway of the user's running oxydra-vm, as the runner reports it.
Result<std::string> gateway_address(const Selection& selection) {
  auto client = ControlClient::connect(selection);
  if (!client) return tl::unexpected(client.error());
  auto health = client->call("health_check", nlohmann::json::object());
  if (!health) return tl::unexpected(health.error());
  const auto& guests = health->payload.value("guests", nlohmann::json::object());
  const auto runtime = guests.value("runtime", nlohmann::json::object());
  if (runtime.value("state", "") != "running") {
    return fail(ErrorCode::not_ready, "user " + selection.user_id +
                                          "'s oxydra-vm is not running (" +
                                          health->payload.value("message", "") + ")");
  }
  return health->payload.value("gateway_socket", "");
}

// Streams one turn: text to stdout as it comes, tool activity to stderr. A
// notice is held until the next event: when the turn then ends in error, it
// is the reason, said once as the turn's error.
class TurnPrinter {
 public:
  void operator()(const TurnEvent& event) {
    flush_notice();
    switch (event.kind) {
      case TurnEventKind::text_delta:
        std::fwrite(event.text.data(), 1, event.text.size(), stdout);
        std::fflush(stdout);
        printed_ = true;
        at_line_start_ = !event.text.empty() && event.text.back() == '\n';
        break;
      case TurnEventKind::tool_call:
        std::fprintf(stderr, "[tool %s %s]\n", event.name.c_str(), event.arguments.dump().c_str());
        break;
      case TurnEventKind::tool_result:
        std::fprintf(stderr, "[tool %s %s: %zu bytes]\n", event.name.c_str(),
                     event.is_error ? "failed" : "done", event.output.size());
        break;
      case TurnEventKind::notice:
        notice_ = event;
        break;
      case TurnEventKind::usage:
        break;
    }
  }
  // After turn_complete: the final text if nothing was streamed, and a newline.
  // Returns why a turn that ended in error failed, when the agent said.
  std::optional<Error> finish(const gateway_rpc::TurnComplete& done) {
    std::optional<Error> failure;
    if (notice_ && done.stop_reason == gateway_rpc::kStopError) {
      failure = Error{error_code_from_string(notice_->code), notice_->message};
      notice_.reset();
    }
    flush_notice();
    if (!printed_ && done.text.empty()) return failure;
    if (!printed_) std::fputs(done.text.c_str(), stdout);
    if (!(printed_ ? at_line_start_ : (!done.text.empty() && done.text.back() == '\n'))) {
      std::fputs("\n", stdout);
    }
    std::fflush(stdout);
    return failure;
  }

 private:
  void flush_notice() {
    if (!notice_) return;
    std::fprintf(stderr, "[%s: %s]\n", notice_->code.c_str(), notice_->message.c_str());
    notice_.reset();
  }
  bool printed_ = false;
  bool at_line_start_ = true;
  std::optional<TurnEvent> notice_;
};

Result<std::unique_ptr<gateway::Client>> connect_gateway(const Selection& selection) {
  auto address = gateway_address(selection);
  if (!address) return tl::unexpected(address.error());
  gateway::ClientOptions options;
  options.connect_timeout = std::chrono::seconds(5);
  return gateway::Client::connect(*address, options);
}

}  // namespace

int cmd_ask(const CliOptions& options, const Selection& selection) {
  std::atomic<gateway::Client*> active{nullptr};
  InterruptWatcher interrupt([&active] {
    if (auto* client = active.load()) client->cancel_active();
  });
  auto client = connect_gateway(selection);
  if (!client) return report_error(client.error(), selection);
  auto hello = (*client)->hello();
  if (!hello) return report_error(hello.error(), selection);
  active = client->get();
  TurnPrinter printer;
  auto done = (*client)->send_message(hello->session_id, options.ask_text, std::ref(printer));
  active = nullptr;
  if (!done) return report_error(done.error(), selection);
  if (auto failure = printer.finish(*done)) return report_error(*failure, selection);
  if (done->stop_reason != gateway_rpc::kStopCompleted) {
    std::fprintf(stderr, "error: the turn ended early: %s\n", done->stop_reason.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

int cmd_chat(const CliOptions&, const Selection& selection) {
  std::atomic<gateway::Client*> active{nullptr};
  InterruptWatcher interrupt([&active] {
    if (auto* client = active.load()) {
      client->cancel_active();
    } else {
      std::fputs("\n(Ctrl-C cancels a running turn; Ctrl-D or /quit leaves)\n> ", stderr);
    }
  });
  auto client = connect_gateway(selection);
  if (!client) return report_error(client.error(), selection);
  auto hello = (*client)->hello();
  if (!hello) return report_error(hello.error(), selection);
  std::string session = hello->session_id;
  std::fprintf(stderr,
               "chatting with %s's agent (session %s). /new starts a new session, "
               "/quit or Ctrl-D leaves, Ctrl-C cancels a turn.\n",
               selection.user_id.c_str(), session.c_str());
  for (const auto& tool : hello->tools) {
    if (!tool.enabled) {
      std::fprintf(stderr, "  tool %s disabled: %s\n", tool.name.c_str(),
                   tool.reason.value_or("").c_str());
    }
  }
  std::string line;
  for (;;) {
    std::fputs("> ", stderr);
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    if (line == "/quit" || line == "/exit") break;
    if (line == "/new") {
      auto fresh = (*client)->new_session();
      if (!fresh) return report_error(fresh.error(), selection);
      session = fresh->session_id;
      std::fprintf(stderr, "new session %s\n", session.c_str());
      continue;
    }
    active = client->get();
    TurnPrinter printer;
    auto done = (*client)->send_message(session, line, std::ref(printer));
    active = nullptr;
    if (!done) return report_error(done.error(), selection);
    if (auto failure = printer.finish(*done)) {
      report_error(*failure, selection);
    } else if (done->stop_reason != gateway_rpc::kStopCompleted) {
      std::fprintf(stderr, "[turn ended: %s]\n", done->stop_reason.c_str());
    }
  }
  std::fputs("\n", stderr);
  return kExitOk;
}

}  // namespace oxydra::runner
