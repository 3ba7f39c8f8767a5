#include "runner_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "oxydra/sandbox/landlock.h"
#include "oxydra/testlib/child_process.h"
#include "oxydra/testlib/proc_scan.h"

namespace oxydra::runner_test {

namespace {

// RLIMIT_DATA counts ASan's shadow mappings, so sanitizer builds of oxydra-vm
// need a memory limit far above any real one (the limit itself is tested in
// the plain build).
#if defined(__SANITIZE_ADDRESS__)
constexpr long long kMemoryMib = 64LL * 1024 * 1024;
#else
constexpr long long kMemoryMib = 1024;
#endif

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

std::string missing_kernel_feature() {
  int err = 0;
  if (sandbox::landlock_abi(&err) == 0) {
    return std::string("Landlock unavailable: ") + std::strerror(err);
  }
  if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
    return std::string("seccomp unavailable: ") + std::strerror(errno);
  }
  return {};
}

bool process_alive(pid_t pid) {
  auto info = testlib::read_proc(pid);
  return info && info->state != 'Z';
}

AsyncCommand::AsyncCommand(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    return;
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    env_strings.emplace_back(*e);
  for (const auto& [name, value] : env)
    env_strings.push_back(name + "=" + value);
  std::vector<char*> args, envp;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env_strings)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  stdin_ = in[1];
  reader_ = std::thread([this, out_fd = out[0], err_fd = err[0]] {
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
      pollfd fds[2] = {{out_open ? out_fd : -1, POLLIN, 0}, {err_open ? err_fd : -1, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
      char buffer[4096];
      for (int i = 0; i < 2; ++i) {
        if (!fds[i].revents) continue;
        ssize_t n = ::read(i == 0 ? out_fd : err_fd, buffer, sizeof buffer);
        std::lock_guard lock(mu_);
        if (n > 0) {
          (i == 0 ? result_.out : result_.err).append(buffer, static_cast<std::size_t>(n));
        } else {
          (i == 0 ? out_open : err_open) = false;
        }
      }
    }
    ::close(out_fd);
    ::close(err_fd);
  });
}

AsyncCommand::~AsyncCommand() {
  close_stdin();
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) reader_.join();
}

void AsyncCommand::write_stdin(const std::string& text) {
  if (stdin_ < 0) return;
  [[maybe_unused]] ssize_t n = ::write(stdin_, text.data(), text.size());
}

void AsyncCommand::close_stdin() {
  if (stdin_ >= 0) ::close(stdin_);
  stdin_ = -1;
}

bool AsyncCommand::wait_output(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mu_);
      if (result_.out.find(text) != std::string::npos ||
          result_.err.find(text) != std::string::npos) {
        return true;
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

CommandResult AsyncCommand::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  pid_ = -1;
  close_stdin();
  if (reader_.joinable()) reader_.join();
  std::lock_guard lock(mu_);
  CommandResult result = result_;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

void RunnerFixture::SetUp() {
  write_config();
}

void RunnerFixture::TearDown() {
  runner({"--user", "alice", "stop"}, 60s);
  std::ifstream lock(user_root() + "/runner.lock");
  pid_t pid = 0;
  auto info = (lock >> pid && pid > 0) ? testlib::read_proc(pid) : std::nullopt;
  // A stopped runner leaves its pid in the file: kill only a live oxydra-runner.
  if (info && info->state != 'Z' && info->comm == "oxydra-runner") ::kill(pid, SIGKILL);
}

namespace {

// "127.0.0.1:PORT" of an http://127.0.0.1:PORT/... URL: the fake provider
// runs on the host's loopback, which guests reach only when the operator
// allows it.
std::string loopback_host_port(const std::string& url) {
  const std::string prefix = "http://127.0.0.1:";
  if (url.rfind(prefix, 0) != 0) return "";
  const auto end = url.find('/', prefix.size());
  return url.substr(7, end == std::string::npos ? std::string::npos : end - 7);
}

}  // namespace

void RunnerFixture::write_config(const ConfigOptions& o) {
  const std::string provider = loopback_host_port(o.provider_url);
  std::string runner =
      "workspace_root = \"ws\"\ndefault_tier = \"" + o.tier + "\"\n" + o.runner_top +
      "\n[users.alice]\nconfig_path = \"alice.toml\"\n\n"
      "[policy]\nmax_memory_mib = " +
      std::to_string(kMemoryMib) +
      "\ncredential_envs = [\"OXY_RUNNER_TEST_KEY\", \"OXY_RUNNER_TEST_UNSET_KEY\"]\n" +
      (provider.empty() ? "" : "egress_allow = [\"" + provider + "\"]\n") + o.policy_extra +
      "\n"
      "[supervision]\nrestart_max = " +
      std::to_string(o.restart_max) +
      "\nrestart_backoff_ms = 100\nrestart_backoff_max_ms = 400\n"
      "startup_timeout_secs = 60\nstop_timeout_secs = 5\n\n";
  if (!o.guest.empty()) runner += "[process]\noxydra_vm = \"" + o.guest + "\"\n\n";
  write_file(file("runner.toml"), runner + o.runner_extra);
  write_file(file("alice.toml"), "agent_config = \"agent.toml\"\n\n[credential_refs]\nfake = \"" +
                                     o.credential_ref + "\"\n\n[resources]\nmax_memory_mib = " +
                                     std::to_string(o.memory_mib.value_or(kMemoryMib)) + "\n" +
                                     o.user_extra);
  write_file(file("agent.toml"),
             "provider = \"fake\"\n\n[providers.fake]\nbase_url = \"" + o.provider_url +
                 "\"\nmodel = \"fake-model\"\ncredential = \"fake\"\nmax_retries = 0\n"
                 "request_timeout_secs = 20\n");
}

CommandResult RunnerFixture::runner(const std::vector<std::string>& args,
                                    std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {testlib::bin_dir() + "/oxydra-runner", "--config",
                                   config_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {{"OXY_RUNNER_TEST_KEY", kSecret}}, timeout);
}

nlohmann::json RunnerFixture::health() {
  auto result = runner({"status", "--json"});
  if (result.exit_code != 0) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(result.out, nullptr, false);
}

nlohmann::json RunnerFixture::wait_health(const std::function<bool(const nlohmann::json&)>& pred) {
  nlohmann::json last;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    last = health();
    if (!last.is_discarded() && pred(last)) return last;
    std::this_thread::sleep_for(100ms);
  }
  return last;
}

void RunnerFixture::start_detached() {
  auto result = runner({"--insecure", "start", "--detach"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
}

std::string egress_probe_script(const std::string& direct_host) {
  return "import os, socket, struct, sys\n"
         "print('proxy', os.environ.get('ALL_PROXY'))\n"
         "def socks(ip, port):\n"
         "    s = socket.socket(socket.AF_UNIX); s.settimeout(10); "
         "s.connect('/egress/egress.sock')\n"
         "    s.sendall(b'\\x05\\x01\\x00'); s.recv(2)\n"
         "    s.sendall(b'\\x05\\x01\\x00\\x01' + socket.inet_aton(ip) + struct.pack('>H', port))\n"
         "    code = s.recv(10)[1]\n"
         "    if code == 0:\n"
         "        s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n'); print('reply', s.recv(12))\n"
         "    return code\n"
         "print('allowed', socks('127.0.0.1', int(sys.argv[1])))\n"
         "print('metadata', socks('169.254.169.254', 80))\n"
         "try:\n"
         "    socket.create_connection(('" +
         direct_host +
         "', int(sys.argv[1])), 3); print('direct connected')\n"
         "except OSError as e:\n"
         "    print('direct', e.strerror)\n";
}

testlib::ScriptedTurn calls_shell(const std::string& command) {
  testlib::ScriptedTurn turn;
  turn.text = "Looking.";
  turn.tool_calls.push_back(
      {"call_1", "shell_exec", nlohmann::json({{"command", command}}).dump()});
  return turn;
}

testlib::ScriptedTurn says(const std::string& text) {
  testlib::ScriptedTurn turn;
  turn.text = text;
  return turn;
}

}  // namespace oxydra::runner_test
