#include "oxydra/sys/io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>

#include "oxydra/sys/unique_fd.h"

namespace oxydra::sys {
namespace {

struct Pair {
  UniqueFd a, b;
};

Pair socket_pair() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Pair pipe_pair() {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  return out;
}

TEST(WriteAll, WritesMoreThanOnePipeBufferToANonBlockingPipe) {
  auto [in, out] = pipe_pair();
  ASSERT_EQ(::fcntl(out.get(), F_SETFL, O_NONBLOCK), 0);
  const std::string big(1 << 20, 'x');
  std::string got;
  std::thread reader([&, fd = in.get()] { got = read_all(fd); });
  EXPECT_EQ(write_all(out.get(), big), 0);
  out.reset();
  reader.join();
  EXPECT_EQ(got, big);
}

TEST(WriteAll, ReportsAClosedPeerAsEpipeWithoutASignal) {
  auto [a, b] = socket_pair();
  b.reset();
  EXPECT_EQ(write_all(a.get(), "lost"), EPIPE);
}

TEST(WriteAll, ReportsABadDescriptor) {
  EXPECT_EQ(write_all(-1, "x"), EBADF);
}

TEST(WriteAll, WorksInAForkedChildBeforeExec) {
  auto [in, out] = pipe_pair();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(write_all(out.get(), "from the child") == 0 ? 0 : 1);
  out.reset();
  const std::string got = read_all(in.get());
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(got, "from the child");
}

TEST(WaitFor, TimesOutWhenNothingArrives) {
  auto [a, b] = socket_pair();
  const auto start = Clock::now();
  const auto error = wait_for(a.get(), POLLIN, start + std::chrono::milliseconds(30));
  EXPECT_EQ(error, std::errc::timed_out);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(30));
}

TEST(WaitFor, ReturnsOnceDataIsReadable) {
  auto [a, b] = socket_pair();
  ASSERT_EQ(write_all(b.get(), "x"), 0);
  EXPECT_FALSE(wait_for(a.get(), POLLIN, Clock::now() + std::chrono::seconds(5)));
}

TEST(PollTimeout, IsZeroOncePassedAndRoundsUp) {
  EXPECT_EQ(poll_timeout_ms(Clock::now() - std::chrono::seconds(1)), 0);
  EXPECT_GE(poll_timeout_ms(Clock::now() + std::chrono::microseconds(100)), 1);
}

TEST(ReadExact, ReadsAcrossSeveralWrites) {
  auto [a, b] = socket_pair();
  std::thread writer([fd = b.get()] {
    write_all(fd, "hel");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    write_all(fd, "lo!");
  });
  char buf[6];
  std::size_t got = 0;
  const auto error =
      read_exact(a.get(), buf, sizeof buf, Clock::now() + std::chrono::seconds(5), got);
  writer.join();
  EXPECT_FALSE(error);
  EXPECT_EQ(got, 6u);
  EXPECT_EQ(std::string(buf, 6), "hello!");
}

TEST(ReadExact, ReportsTheEndOfStreamAndHowFarItCame) {
  auto [a, b] = socket_pair();
  ASSERT_EQ(write_all(b.get(), "abc"), 0);
  b.reset();
  char buf[8];
  std::size_t got = 0;
  const auto error =
      read_exact(a.get(), buf, sizeof buf, Clock::now() + std::chrono::seconds(5), got);
  EXPECT_EQ(error, std::errc::no_message_available);
  EXPECT_EQ(got, 3u);
}

TEST(ReadExact, TimesOutAtTheDeadline) {
  auto [a, b] = socket_pair();
  char buf[1];
  std::size_t got = 0;
  const auto error =
      read_exact(a.get(), buf, sizeof buf, Clock::now() + std::chrono::milliseconds(20), got);
  EXPECT_EQ(error, std::errc::timed_out);
  EXPECT_EQ(got, 0u);
}

}  // namespace
}  // namespace oxydra::sys
