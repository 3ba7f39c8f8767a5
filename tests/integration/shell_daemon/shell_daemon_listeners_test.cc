// Listeners other than the Unix socket, and the socket file's handling.

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

#include <cstring>
#include <fstream>

#include "daemon_test_util.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::shell_daemon_test {
namespace {

TEST(ListenerTest, SocketIsPrivateAndAStaleOneIsReplaced) {
  testlib::TempDir dir;
  const std::string path = dir.file("d.sock");
  {
    // A socket file left by a dead daemon: bound, then closed.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    ASSERT_LT(path.size(), sizeof(addr.sun_path));
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ::close(fd);
  }
  testlib::ChildProcess daemon;
  ASSERT_TRUE(
      daemon.start({testlib::bin_dir() + "/shell-daemon", "--socket", path}, dir.file("log")));
  auto client = FrameClient::connect_unix(path);
  ASSERT_TRUE(client) << daemon.log();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto hello =
      client->request("hello", {{"request_id", "h"}, {"protocol_version", 1}, {"client", "t"}});
  ASSERT_TRUE(hello);
  // A second daemon refuses to take over a live socket.
  testlib::ChildProcess second;
  ASSERT_TRUE(
      second.start({testlib::bin_dir() + "/shell-daemon", "--socket", path}, dir.file("log2")));
  auto status = second.wait(30s);
  ASSERT_TRUE(status);
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(second.log().find("another server is listening"), std::string::npos) << second.log();
  EXPECT_TRUE(
      client->request("hello", {{"request_id", "h2"}, {"protocol_version", 1}, {"client", "t"}}));
  daemon.signal(SIGTERM);
  EXPECT_TRUE(daemon.wait(30s));
}

TEST(ListenerTest, NothingToListenOnIsAnError) {
  testlib::TempDir dir;
  testlib::ChildProcess daemon;
  ASSERT_TRUE(daemon.start({testlib::bin_dir() + "/shell-daemon"}, dir.file("log")));
  auto status = daemon.wait(30s);
  ASSERT_TRUE(status);
  EXPECT_NE(WEXITSTATUS(*status), 0);
}

// A pseudo-terminal stands in for a virtio-serial port: the daemon opens the
// device once, read-write, and the test speaks frames on the other side.
TEST(ListenerTest, SerialDeviceIsServedAsOneStream) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  const std::string slave = ::ptsname(master);
  // Raw from the start, so nothing is echoed back before the daemon opens
  // it; held open so the master never sees a hang-up while the daemon starts.
  int held = ::open(slave.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(held, 0);
  termios tio;
  ASSERT_EQ(::tcgetattr(held, &tio), 0);
  ::cfmakeraw(&tio);
  ASSERT_EQ(::tcsetattr(held, TCSANOW, &tio), 0);
  testlib::TempDir dir;
  testlib::ChildProcess daemon;
  ASSERT_TRUE(daemon.start(
      {testlib::bin_dir() + "/shell-daemon", "--serial", slave, "--log-level", "debug"},
      dir.file("log")));
  FrameClient client(master);
  auto hello = client.request(
      "hello", {{"request_id", "h-1"}, {"protocol_version", 1}, {"client", "serial"}});
  ASSERT_TRUE(hello) << daemon.log();
  EXPECT_TRUE(hello->payload.contains("server")) << hello->payload.dump();
  EXPECT_EQ(hello->op, "hello");
  auto s = spawn_session(client);
  auto reply = exec(client, s, "printf 'a\\r\\nb\\0c'");
  EXPECT_EQ(reply["stdout_bytes"], 6);
  EXPECT_EQ(pull(client, s).out, std::string("a\r\nb\0c", 6));
  daemon.signal(SIGTERM);
  auto status = daemon.wait(30s);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 0) << daemon.log();
  ::close(held);
}

TEST(ListenerTest, VsockPortIsListenedOn) {
  int probe = ::socket(AF_VSOCK, SOCK_STREAM, 0);
  if (probe < 0) GTEST_SKIP() << "no AF_VSOCK here";
  ::close(probe);
  // This machine has no vsock transport to connect through (no loopback, no
  // guest), so only the listening side is checked.
  testlib::ShellDaemonProcess daemon({"--vsock-port", "40917"});
  ASSERT_TRUE(daemon.started()) << daemon.log();
  auto c = daemon.connect();
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->request("hello", {{"request_id", "h"}, {"protocol_version", 1}, {"client", "t"}}));
  EXPECT_NE(daemon.log().find("listening on vsock:40917"), std::string::npos) << daemon.log();
  daemon.stop();
}

}  // namespace
}  // namespace oxydra::shell_daemon_test
