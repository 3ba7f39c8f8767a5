#include "oxydra/logging/journal.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace oxydra::logging {
namespace {

TEST(JournalEntry, PlainFieldsAreKeyEqualsValueLines) {
  EXPECT_EQ(encode_journal_entry({{"MESSAGE", "hello"}, {"OXYDRA_USER", "alice"}}),
            "MESSAGE=hello\nOXYDRA_USER=alice\n");
}

TEST(JournalEntry, AValueWithANewlineIsSentWithItsSizeInLittleEndian) {
  const std::string entry = encode_journal_entry({{"MESSAGE", "two\nlines"}, {"PRIORITY", "6"}});
  const std::string expected =
      std::string("MESSAGE\n") + std::string("\x09\0\0\0\0\0\0\0", 8) + "two\nlines\nPRIORITY=6\n";
  EXPECT_EQ(entry, expected);
}

TEST(Journal, SendsOneDatagramPerEntryToTheSocketItIsGiven) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("oxj-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/journal.sock";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::setenv("OXYDRA_JOURNAL_SOCKET", path.c_str(), 1);
  auto journal = Journal::connect();
  ::unsetenv("OXYDRA_JOURNAL_SOCKET");
  ASSERT_TRUE(journal);
  EXPECT_TRUE(journal->send({{"MESSAGE", "one"}}));
  EXPECT_TRUE(journal->send({{"MESSAGE", "two"}}));
  char buffer[256];
  ASSERT_EQ(::recv(fd, buffer, sizeof buffer, 0), 12);
  EXPECT_EQ(std::string(buffer, 12), "MESSAGE=one\n");
  ASSERT_EQ(::recv(fd, buffer, sizeof buffer, 0), 12);
  EXPECT_EQ(std::string(buffer, 12), "MESSAGE=two\n");
  // A journal that stops reading: sends fail instead of blocking the caller.
  bool refused = false;
  for (int i = 0; i < 1000000 && !refused; ++i)
    refused = !journal->send({{"MESSAGE", std::string(1024, 'x')}});
  EXPECT_TRUE(refused);
  ::close(fd);
  std::filesystem::remove_all(dir);
}

TEST(Journal, StderrIsTheJournalOnlyWhenJournalStreamNamesIt) {
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
  ::setenv("JOURNAL_STREAM", "1:2", 1);
  EXPECT_FALSE(stderr_is_journal());
  struct stat st {};
  ASSERT_EQ(::fstat(STDERR_FILENO, &st), 0);
  const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  ::setenv("JOURNAL_STREAM", mine.c_str(), 1);
  EXPECT_TRUE(stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
}

}  // namespace
}  // namespace oxydra::logging
