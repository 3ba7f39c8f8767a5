#include "shell_state.h"

#include <gtest/gtest.h>

namespace oxydra::shell_daemon {
namespace {

using namespace std::string_literals;

TEST(ShellState, ParsesARecord) {
  auto state = parse_state("/home/user\n\0export A='1'\n\0"s);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->cwd, "/home/user");
  EXPECT_EQ(state->exports, "export A='1'\n");
}

TEST(ShellState, TheLastCompleteRecordWins) {
  auto state = parse_state("/a\n\0export A='1'\n\0/b\n\0export B='2'\n\0/c\n\0partial"s);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->cwd, "/b");
  EXPECT_EQ(state->exports, "export B='2'\n");
}

TEST(ShellState, NothingOrGarbageIsNoState) {
  EXPECT_FALSE(parse_state(""));
  EXPECT_FALSE(parse_state("/only-a-cwd\n"s));
  EXPECT_FALSE(parse_state("relative\n\0\0"s));
}

TEST(ShellState, CwdWithNewlineKeepsIt) {
  auto state = parse_state("/tmp/a\nb\n\0\0"s);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->cwd, "/tmp/a\nb");
}

TEST(ShellState, WrapperPassesCommandAndExportsAsArguments) {
  auto argv = wrapper_argv("/bin/sh", false, "echo hi", "export A='1'");
  ASSERT_EQ(argv.size(), 6u);
  EXPECT_EQ(argv[0], "/bin/sh");
  EXPECT_EQ(argv[1], "-c");
  EXPECT_EQ(argv[4], "echo hi");
  EXPECT_EQ(argv[5], "export A='1'");
}

}  // namespace
}  // namespace oxydra::shell_daemon
