// exec's client side against the real shell-daemon (no tier in this build has
// a shell-vm yet): output streams through, the command's status comes back.

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cli/exec_command.h"
#include "oxydra/testlib/shell_daemon_process.h"
#include "runner_fixture.h"

namespace oxydra::runner_test {
namespace {

struct Captured {
  int status = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs exec's client with this process's stdout and stderr sent to files.
Captured exec_in(const sandbox::SidecarEndpoint& endpoint, const std::string& command,
                 const testlib::TempDir& dir) {
  runner::Selection selection;
  selection.user_id = "alice";
  std::fflush(nullptr);
  const int saved_out = ::dup(STDOUT_FILENO), saved_err = ::dup(STDERR_FILENO);
  const int out = ::open(dir.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err = ::open(dir.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(err, STDERR_FILENO);
  Captured c;
  c.status = runner::run_in_shell(endpoint, command, 30, selection);
  std::fflush(nullptr);
  ::dup2(saved_out, STDOUT_FILENO);
  ::dup2(saved_err, STDERR_FILENO);
  for (int fd : {saved_out, saved_err, out, err})
    ::close(fd);
  c.out = slurp(dir.file("out"));
  c.err = slurp(dir.file("err"));
  return c;
}

TEST(Exec, StreamsOutputAndReturnsTheCommandsStatus) {
  testlib::ShellDaemonProcess daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  testlib::TempDir dir;
  const sandbox::SidecarEndpoint endpoint{"unix", daemon.socket_path()};

  auto ok = exec_in(endpoint, runner::shell_command_line({"echo out; echo err >&2"}), dir);
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(ok.err, "err\n");

  auto words =
      exec_in(endpoint, runner::shell_command_line({"sh", "-c", "echo 'a b'; exit 3"}), dir);
  EXPECT_EQ(words.status, 3);
  EXPECT_EQ(words.out, "a b\n");

  auto killed = exec_in(endpoint, "kill -9 $$", dir);
  EXPECT_EQ(killed.status, 128 + 9);
}

TEST(Exec, AnUnreachableDaemonIs125) {
  testlib::TempDir dir;
  auto result = exec_in({"unix", dir.file("absent.sock")}, "true", dir);
  EXPECT_EQ(result.status, 125);
  EXPECT_NE(result.err.find("error: "), std::string::npos) << result.err;
}

}  // namespace
}  // namespace oxydra::runner_test
