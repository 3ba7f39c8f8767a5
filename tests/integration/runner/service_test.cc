// The runner as a systemd service runs it (oxydra@.service): Type=notify
// readiness and stop over $NOTIFY_SOCKET, and log lines as journal entries
// with fields on journald's native socket, here two datagram sockets the test
// binds and reads (the protocols as systemd defines them).

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "oxydra/testlib/fake_llm_server.h"
#include "oxydra/testlib/llm_scripts.h"
#include "oxydra/testlib/paths.h"
#include "runner_fixture.h"
#include "tier_support.h"

namespace oxydra::runner_test {
namespace {

// A bound Unix datagram socket; recv() returns each datagram.
class Datagrams {
 public:
  explicit Datagrams(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ADD_FAILURE() << "bind " << path << ": " << std::strerror(errno);
    }
  }
  ~Datagrams() { ::close(fd_); }
  std::optional<std::string> recv(std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string buffer(256 * 1024, '\0');
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0) return std::nullopt;
    buffer.resize(static_cast<std::size_t>(n));
    return buffer;
  }
  // Datagrams until one contains `text` (or the time is up); all of them.
  std::vector<std::string> until(const std::string& text, std::chrono::milliseconds timeout) {
    std::vector<std::string> seen;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto got = recv(500ms);
      if (!got) continue;
      seen.push_back(*got);
      if (got->find(text) != std::string::npos) break;
    }
    return seen;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

using Entry = std::map<std::string, std::string>;

// journald's native format: KEY=value lines, or KEY\n<le64 size><bytes>\n.
Entry decode_entry(const std::string& datagram) {
  Entry entry;
  std::size_t at = 0;
  while (at < datagram.size()) {
    const auto end = datagram.find('\n', at);
    if (end == std::string::npos) break;
    const std::string line = datagram.substr(at, end - at);
    const auto equals = line.find('=');
    if (equals != std::string::npos) {
      entry[line.substr(0, equals)] = line.substr(equals + 1);
      at = end + 1;
      continue;
    }
    std::uint64_t size = 0;
    for (int i = 7; i >= 0; --i)
      size = size << 8 | static_cast<unsigned char>(datagram[end + 1 + i]);
    entry[line] = datagram.substr(end + 9, size);
    at = end + 9 + size + 1;
  }
  return entry;
}

std::string environ_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class Service : public RunnerFixture {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    OXYDRA_SKIP_UNLESS_TIER(TestTier::oci);
  }
};

TEST_F(Service, NotifiesReadyAndStoppingAndLogsToTheJournalWithFields) {
  testlib::FakeLlmServer llm;
  llm.enqueue(testlib::openai_stream(says("Logged.")));
  ConfigOptions options = tier_options(TestTier::oci);
  options.provider_url = llm.base_url() + "/v1";
  write_config(options);
  Datagrams notify(file("notify.sock"));
  Datagrams journal(file("journal.sock"));
  AsyncCommand start({testlib::bin_dir() + "/oxydra-runner", "--config", config_path(),
                      "--log-format", "journal", "start"},
                     {{"OXY_RUNNER_TEST_KEY", kSecret},
                      {"NOTIFY_SOCKET", file("notify.sock")},
                      {"OXYDRA_JOURNAL_SOCKET", file("journal.sock")}});

  const auto notices = notify.until("READY=1", 120s);
  ASSERT_FALSE(notices.empty()) << start.wait(1s).err;
  EXPECT_NE(notices.back().find("READY=1\nSTATUS=user alice ready on the container tier"),
            std::string::npos)
      << notices.back();
  const auto up = health();
  ASSERT_EQ(up["healthy"], true) << up.dump();

  // runc would hand a NOTIFY_SOCKET it saw to the container and wait on it:
  // no guest has it.
  for (const char* role : {"runtime", "sidecar"}) {
    const auto& guest = up["guests"][role];
    ASSERT_TRUE(guest["pid"].is_number()) << up.dump();
    const std::string env = environ_of(guest["pid"].get<pid_t>());
    EXPECT_EQ(env.find("NOTIFY_SOCKET"), std::string::npos) << role;
    EXPECT_EQ(env.find("OXYDRA_JOURNAL_SOCKET"), std::string::npos) << role;
  }

  // The runner's own lines and both guests' lines, each with its fields.
  bool runner_line = false;
  bool runtime_line = false;
  std::vector<std::string> seen;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!(runner_line && runtime_line) && std::chrono::steady_clock::now() < deadline) {
    auto datagram = journal.recv(500ms);
    if (!datagram) continue;
    Entry entry = decode_entry(*datagram);
    seen.push_back(entry["MESSAGE"]);
    EXPECT_EQ(entry["OXYDRA_USER"], "alice") << *datagram;
    EXPECT_EQ(entry["MESSAGE"].find(kSecret), std::string::npos);
    if (entry["SYSLOG_IDENTIFIER"] == "oxydra-runner" &&
        entry["MESSAGE"] == "user alice is ready") {
      EXPECT_EQ(entry["OXYDRA_ROLE"], "runner");
      EXPECT_EQ(entry["PRIORITY"], "6");
      runner_line = true;
    }
    if (entry["SYSLOG_IDENTIFIER"] == "oxydra-vm") {
      EXPECT_EQ(entry["OXYDRA_ROLE"], "runtime");
      EXPECT_EQ(entry["OXYDRA_STREAM"], "stderr");
      runtime_line = true;
    }
  }
  EXPECT_TRUE(runner_line && runtime_line) << ::testing::PrintToString(seen);

  // The files behind `logs` are still written, and `logs --follow` sees a
  // new line (oxydra-vm's line for a turn) as the journal does.
  auto logs = runner({"logs", "--role", "runtime"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find("startup:"), std::string::npos) << logs.out;
  AsyncCommand follow({testlib::bin_dir() + "/oxydra-runner", "--config", config_path(), "logs",
                       "--follow", "--role", "runtime", "--tail", "0"},
                      {});
  auto asked = runner({"ask", "Say it."});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_TRUE(follow.wait_output("completed (1 model call(s)")) << follow.wait(1s).out;
  ::kill(follow.pid(), SIGINT);
  bool turn_in_journal = false;
  for (const auto& datagram : journal.until("completed (1 model call(s)", 30s)) {
    Entry entry = decode_entry(datagram);
    if (entry["MESSAGE"].find("completed (1 model call(s)") != std::string::npos) {
      EXPECT_EQ(entry["OXYDRA_ROLE"], "runtime");
      turn_in_journal = true;
    }
  }
  EXPECT_TRUE(turn_in_journal);

  ASSERT_EQ(runner({"stop"}).exit_code, 0);
  const auto stopping = notify.until("STOPPING=1", 60s);
  ASSERT_FALSE(stopping.empty());
  EXPECT_NE(stopping.back().find("STOPPING=1"), std::string::npos);
  EXPECT_EQ(start.wait(60s).exit_code, 0);
}

}  // namespace
}  // namespace oxydra::runner_test
