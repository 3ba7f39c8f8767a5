// The control socket checks who connects (SO_PEERCRED), whatever the
// socket's mode: here it is made world-connectable on purpose, so that only
// the peer check stands between another uid and the runner.

#include "daemon/control_server.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "fake_control_handler.h"
#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/temp_dir.h"
#include "oxydra/types/frame.h"
#include "oxydra/types/message.h"

namespace oxydra::runner {
namespace {

// Connects, asks for health and returns whatever came back before EOF.
std::string ask_health(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return std::string("connect: ") + std::strerror(errno);
  }
  const std::string frame = encode_message("health_check", {{"request_id", "r1"}});
  // A refused peer may find the connection closed before its request is
  // written: no SIGPIPE, and what the server sent first is still read.
  (void)::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
  std::string got;
  char buffer[4096];
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) {
    got.append(buffer, static_cast<std::size_t>(n));
    if (got.find("health_status") != std::string::npos) break;
  }
  ::close(fd);
  return got;
}

TEST(ControlServer, RefusesAPeerThatIsNeitherRootNorTheOperatorGroup) {
  OXYDRA_SKIP_UNLESS(::geteuid() == 0, "needs root to connect as another uid");
  testlib::TempDir dir;
  ::chmod(dir.path().c_str(), 0777);
  const std::string path = dir.file("control.sock");
  asio::io_context io;
  FakeControlHandler handler;
  ControlServer server(io, handler, [] {});
  ASSERT_TRUE(server.listen(path, gid_t{4343}));
  ::chmod(path.c_str(), 0666);  // only the peer check is left
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });

  EXPECT_NE(ask_health(path).find("health_status"), std::string::npos);

  // Another uid, first outside and then inside the operator group.
  for (const bool in_group : {false, true}) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(pipe_fds[0]);
      const gid_t groups[] = {4343};
      if (::setgroups(in_group ? 1 : 0, groups) != 0 || ::setresgid(4242, 4242, 4242) != 0 ||
          ::setresuid(4242, 4242, 4242) != 0) {
        ::_exit(2);
      }
      const std::string got = ask_health(path);
      const char verdict = got.find("health_status") != std::string::npos  ? 'A'
                           : got.find("peer_refused") != std::string::npos ? 'R'
                                                                           : '?';
      (void)!::write(pipe_fds[1], &verdict, 1);
      ::_exit(0);
    }
    ::close(pipe_fds[1]);
    char verdict = 0;
    EXPECT_EQ(::read(pipe_fds[0], &verdict, 1), 1);
    ::close(pipe_fds[0]);
    ::waitpid(child, nullptr, 0);
    EXPECT_EQ(verdict, in_group ? 'A' : 'R') << (in_group ? "operator group member" : "stranger");
  }
  guard.reset();
  asio::post(io, [&] { server.close(); });
  loop.join();
}

}  // namespace
}  // namespace oxydra::runner
