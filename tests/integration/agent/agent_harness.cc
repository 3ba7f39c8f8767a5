#include "agent_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oxydra/types/frame.h"

namespace oxydra::agent_test {

nlohmann::json make_envelope(const Workspace& workspace, const EnvelopeSpec& spec) {
  nlohmann::json provider = {{"api", spec.api},
                             {"base_url", spec.base_url},
                             {"model", "fake-model"},
                             {"credential", "llm"},
                             {"max_retries", 0},
                             {"request_timeout_secs", 30},
                             {"stream_idle_timeout_secs", 30}};
  if (spec.input_price) provider["input_price_per_mtok"] = *spec.input_price;
  if (spec.output_price) provider["output_price_per_mtok"] = *spec.output_price;
  nlohmann::json runtime = {{"max_turns", spec.max_turns}, {"turn_timeout_secs", 120}};
  if (spec.max_cost) runtime["max_cost"] = *spec.max_cost;

  nlohmann::json envelope = {
      {"protocol_version", 1},
      {"user_id", "alice"},
      {"workspace_root", workspace.root()},
      {"runtime_policy",
       {{"resources", {{"max_vcpus", 1}, {"max_memory_mib", 512}, {"max_processes", 64}}},
        {"credential_refs", {{"llm", "env:LLM_API_KEY"}}}}},
      {"credentials", {{"llm", kApiKey}}},
      {"agent_config",
       {{"provider", "fake"},
        {"providers", {{"fake", provider}}},
        {"runtime", runtime},
        {"tools", {{"shell", {{"timeout_secs", 30}}}}}}},
      {"gateway", {{"transport", "unix"}, {"address", workspace.gateway_socket()}}},
  };
  if (spec.shell_socket) {
    envelope["sandbox_tier"] = "container";
    envelope["sidecar_endpoint"] = {{"transport", "unix"}, {"address", *spec.shell_socket}};
    envelope["startup_status"] = {{"sandbox_tier", "container"},
                                  {"sidecar_available", true},
                                  {"shell_available", true},
                                  {"browser_available", false},
                                  {"degraded_reasons", nlohmann::json::array()}};
  } else {
    envelope["sandbox_tier"] = "process";
    envelope["startup_status"] = {
        {"sandbox_tier", "process"},
        {"degraded_reasons",
         {{{"code", "insecure_process_tier"}, {"detail", "no shell-vm on the process tier"}}}}};
  }
  return envelope;
}

testlib::ScriptedTurn says(std::string text) {
  testlib::ScriptedTurn turn;
  turn.text = std::move(text);
  return turn;
}

testlib::ScriptedTurn calls_tool(std::string text, std::string id, std::string name,
                                 std::string arguments) {
  testlib::ScriptedTurn turn = says(std::move(text));
  turn.tool_calls.push_back({std::move(id), std::move(name), std::move(arguments)});
  return turn;
}

AgentVm::AgentVm() = default;

AgentVm::~AgentVm() {
  if (process_.running()) stop(SIGKILL);
}

bool AgentVm::spawn(const std::vector<std::string>& args, int keep_fd) {
  (void)keep_fd;  // inherited because it is not close-on-exec
  return process_.start(args, logs_.file("vm.log"));
}

bool AgentVm::start_bootstrap(const nlohmann::json& envelope) {
  return start_bootstrap_raw(encode_frame(envelope.dump()));
}

bool AgentVm::start_bootstrap_raw(const std::string& raw) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return false;
  const int parent = fds[0], child = fds[1];
  ::fcntl(parent, F_SETFD, FD_CLOEXEC);
  const bool started = spawn({testlib::bin_dir() + "/oxydra-vm", "--bootstrap-fd",
                              std::to_string(child), "--log-level", "debug"},
                             child);
  ::close(child);
  bool written = started;
  for (std::size_t at = 0; written && at < raw.size();) {
    const ssize_t n = ::send(parent, raw.data() + at, raw.size() - at, MSG_NOSIGNAL);
    if (n <= 0) break;  // the agent may refuse early; the test checks its verdict
    at += static_cast<std::size_t>(n);
  }
  ::close(parent);
  return started;
}

bool AgentVm::start_direct(const std::string& config, const std::string& workspace,
                           const std::vector<std::pair<std::string, std::string>>& env) {
  std::vector<std::string> args{"/usr/bin/env"};
  for (const auto& [name, value] : env)
    args.push_back(name + "=" + value);
  args.insert(args.end(), {testlib::bin_dir() + "/oxydra-vm", "--config", config, "--workspace",
                           workspace, "--log-level", "debug"});
  return spawn(args, -1);
}

std::unique_ptr<gateway::Client> AgentVm::connect(const std::string& socket) {
  if (!testlib::wait_for_path(socket, std::chrono::seconds(30))) return nullptr;
  auto client = gateway::Client::connect(socket);
  return client ? std::move(*client) : nullptr;
}

int AgentVm::stop(int sig) {
  process_.signal(sig);
  return wait_exit();
}

int AgentVm::wait_exit() {
  auto status = process_.wait(std::chrono::seconds(60));
  if (!status || !WIFEXITED(*status)) return -1;
  return WEXITSTATUS(*status);
}

std::vector<std::string> request_bodies(const testlib::FakeLlmServer& server) {
  std::vector<std::string> out;
  for (const auto& request : server.requests())
    out.push_back(request.body);
  return out;
}

std::vector<gateway_rpc::TurnEvent> Transcript::of(gateway_rpc::TurnEventKind kind) const {
  std::vector<gateway_rpc::TurnEvent> out;
  for (const auto& e : events)
    if (e.kind == kind) out.push_back(e);
  return out;
}

std::string Transcript::text_after_last_tool_result() const {
  std::string text;
  for (const auto& e : events) {
    if (e.kind == gateway_rpc::TurnEventKind::tool_result) text.clear();
    if (e.kind == gateway_rpc::TurnEventKind::text_delta) text += e.text;
  }
  return text;
}

}  // namespace oxydra::agent_test
