#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/gateway_client/client.h"
#include "oxydra/testlib/child_process.h"
#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::agent_test {

inline constexpr const char* kApiKey = "sk-e2e-Zq7xW3vB9nK2mP5rT8yL";

// What goes into the envelope's agent config and status.
struct EnvelopeSpec {
  std::string api = "openai_chat";
  std::string base_url;                     // the fake LLM server
  std::optional<std::string> shell_socket;  // a shell-daemon: container tier with a shell
  std::int64_t max_turns = 8;
  std::optional<double> max_cost;
  std::optional<double> input_price, output_price;
};

// The user's workspace as oxydra-vm sees it, in a fresh temporary directory.
struct Workspace {
  testlib::TempDir dir{"oxy-ws"};
  std::string root() const { return dir.path(); }
  std::string gateway_socket() const { return dir.file("ipc/gateway.sock"); }
  std::string file(const std::string& relative) const { return dir.file(relative); }
};

nlohmann::json make_envelope(const Workspace& workspace, const EnvelopeSpec& spec);

// Scripted model replies: plain text, or text and one tool call.
testlib::ScriptedTurn says(std::string text);
testlib::ScriptedTurn calls_tool(std::string text, std::string id, std::string name,
                                 std::string arguments);

// The real oxydra-vm binary; output (stdout and stderr) goes to a log file.
class AgentVm {
 public:
  AgentVm();
  ~AgentVm();

  // --bootstrap-fd over a socketpair: the envelope is written as one frame
  // (or `raw` bytes as they are, for broken envelopes).
  bool start_bootstrap(const nlohmann::json& envelope);
  bool start_bootstrap_raw(const std::string& raw);
  // Direct mode; `env` is set for the child only.
  bool start_direct(const std::string& config, const std::string& workspace,
                    const std::vector<std::pair<std::string, std::string>>& env);

  // A gateway client, once the socket answers.
  std::unique_ptr<gateway::Client> connect(const std::string& socket);

  // SIGTERM (or `sig`) and wait: the exit status, or -1 (not exited normally).
  int stop(int sig = 15);
  // Waits for the process to exit on its own: the exit status, or -1.
  int wait_exit();
  pid_t pid() const { return process_.pid(); }
  std::string log() const { return process_.log(); }

 private:
  bool spawn(const std::vector<std::string>& args, int keep_fd);

  testlib::TempDir logs_{"oxy-vmlog"};
  testlib::ChildProcess process_;
};

// The body text of every request the fake server received.
std::vector<std::string> request_bodies(const testlib::FakeLlmServer& server);

// Collects a turn's events.
struct Transcript {
  std::vector<gateway_rpc::TurnEvent> events;
  std::vector<gateway_rpc::TurnEvent> of(gateway_rpc::TurnEventKind kind) const;
  std::string text_after_last_tool_result() const;
  gateway::TurnEventHandler handler() {
    return [this](const gateway_rpc::TurnEvent& e) { events.push_back(e); };
  }
};

}  // namespace oxydra::agent_test
