#include "oxydra/sys/unix_connect.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include "oxydra/sys/temp_dir.h"

namespace oxydra::sys {
namespace {

UniqueFd listen_at(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::listen(fd.get(), 4), 0);
  return fd;
}

class UnixConnect : public ::testing::Test {
 protected:
  void SetUp() override {
    std::error_code error;
    dir_ = TempDir::create("oxydra-sys-test", error);
    ASSERT_FALSE(error) << error.message();
    path_ = (dir_.path() / "s.sock").string();
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(UnixConnect, ConnectsToAListeningSocketInTheRequestedMode) {
  UniqueFd server = listen_at(path_);
  std::error_code error;
  UniqueFd blocking =
      connect_unix_once(path_, Clock::now() + std::chrono::seconds(5), FdMode::blocking, error);
  ASSERT_TRUE(blocking) << error.message();
  EXPECT_EQ(::fcntl(blocking.get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(blocking.get(), F_GETFD) & FD_CLOEXEC, 0);
  UniqueFd nonblocking =
      connect_unix_once(path_, Clock::now() + std::chrono::seconds(5), FdMode::nonblocking, error);
  ASSERT_TRUE(nonblocking) << error.message();
  EXPECT_NE(::fcntl(nonblocking.get(), F_GETFL) & O_NONBLOCK, 0);
}

TEST_F(UnixConnect, OneAttemptAtAnAbsentSocketFailsRetryably) {
  std::error_code error;
  UniqueFd fd =
      connect_unix_once(path_, Clock::now() + std::chrono::seconds(1), FdMode::blocking, error);
  EXPECT_FALSE(fd);
  EXPECT_EQ(error, std::errc::no_such_file_or_directory);
  EXPECT_TRUE(connect_retryable(error));
}

TEST_F(UnixConnect, ATooLongPathFailsAtOnceAndIsNotRetryable) {
  std::error_code error;
  UniqueFd fd = connect_unix(std::string(200, 'a'), Clock::now() + std::chrono::seconds(5),
                             FdMode::blocking, error);
  EXPECT_FALSE(fd);
  EXPECT_EQ(error, std::errc::filename_too_long);
  EXPECT_FALSE(connect_retryable(error));
}

TEST_F(UnixConnect, RetriesUntilTheServerAppears) {
  UniqueFd server;
  std::thread late([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server = listen_at(path_);
  });
  std::error_code error;
  UniqueFd fd =
      connect_unix(path_, Clock::now() + std::chrono::seconds(5), FdMode::blocking, error);
  late.join();
  EXPECT_TRUE(fd) << error.message();
}

TEST_F(UnixConnect, GivesUpAtTheDeadline) {
  std::error_code error;
  UniqueFd fd =
      connect_unix(path_, Clock::now() + std::chrono::milliseconds(100), FdMode::blocking, error);
  EXPECT_FALSE(fd);
  EXPECT_EQ(error, std::errc::no_such_file_or_directory);
}

}  // namespace
}  // namespace oxydra::sys
