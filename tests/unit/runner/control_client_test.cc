// The CLI refuses to talk to a control socket that is not the runner's: a
// guest or another local user could otherwise put a listener in its place
// and answer for the runner (or collect what the operator sends).

#include "cli/control_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

namespace fs = std::filesystem;

// A listening socket at `path` nobody serves: connect() still succeeds.
int listen_at(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::listen(fd, 4), 0);
  return fd;
}

class ControlClientImpostor : public ::testing::Test {
 protected:
  void SetUp() override {
    OXYDRA_SKIP_UNLESS(::geteuid() == 0, "needs root to make files of another uid");
    selection_.user_id = "alice";
    selection_.layout = workspace_layout(dir_.path() + "/ws", "alice");
    fs::create_directories(selection_.layout.control);
    ::chmod(selection_.layout.control.c_str(), 0700);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Error refused() {
    auto client = ControlClient::connect(selection_, std::chrono::milliseconds(500));
    EXPECT_FALSE(client);
    return client ? Error{} : client.error();
  }

  testlib::TempDir dir_;
  Selection selection_;
  int fd_ = -1;
};

TEST_F(ControlClientImpostor, RefusesADirectoryAnotherUidOwns) {
  ASSERT_EQ(::chown(selection_.layout.control.c_str(), 4242, 4242), 0);
  fd_ = listen_at(control_socket_path(selection_.layout));
  const Error error = refused();
  EXPECT_EQ(error.code, ErrorCode::peer_refused);
  EXPECT_NE(error.message.find("its directory is not the runner's"), std::string::npos)
      << error.message;
}

TEST_F(ControlClientImpostor, RefusesASocketAnotherUidOwns) {
  fd_ = listen_at(control_socket_path(selection_.layout));
  ASSERT_EQ(::chown(control_socket_path(selection_.layout).c_str(), 4242, 4242), 0);
  const Error error = refused();
  EXPECT_EQ(error.code, ErrorCode::peer_refused);
  EXPECT_NE(error.message.find("owned by uid 4242"), std::string::npos) << error.message;
}

TEST_F(ControlClientImpostor, RefusesAWorldWritableDirectory) {
  ::chmod(selection_.layout.control.c_str(), 0777);
  fd_ = listen_at(control_socket_path(selection_.layout));
  EXPECT_EQ(refused().code, ErrorCode::peer_refused);
}

}  // namespace
}  // namespace oxydra::runner
