#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/log_file.h"
#include "daemon/log_reader.h"
#include "daemon/timestamps.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

namespace fs = std::filesystem;
using control_rpc::LogsRequest;

std::string ts(int second) {
  return "2025-01-31T09:15:" + std::string(second < 10 ? "0" : "") + std::to_string(second) +
         ".000000Z";
}

TEST(RotatingLog, RotatesBySizeAndKeepsMaxFiles) {
  testlib::TempDir dir;
  const auto path = log_path(dir.path(), "runtime", "stdout");
  RotatingLog log(path, 100, 2);
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(log.append(ts(i), "line " + std::to_string(i)));
  EXPECT_TRUE(fs::exists(path));
  EXPECT_TRUE(fs::exists(path.string() + ".1"));
  EXPECT_TRUE(fs::exists(path.string() + ".2"));
  EXPECT_FALSE(fs::exists(path.string() + ".3"));
  for (const auto& file : log_generations(path))
    EXPECT_LE(fs::file_size(file), 100u) << file;
  EXPECT_EQ(log_generations(path).back(), path);
}

// A file size limit stands in for a full disk: writes past it fail (EFBIG)
// exactly as they would with ENOSPC, and raising it is space returning.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() { lift(); }
  void lift() { ::setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
};

TEST(RotatingLog, HoldsWhatItCannotWriteAndWritesItInOrderOnceItCan) {
  testlib::TempDir dir;
  const auto path = log_path(dir.path(), "runtime", "stdout");
  RotatingLog log(path, 1 << 20, 2);
  {
    FileSizeLimit full(64);  // room for two entries of 32 bytes, not a third
    ASSERT_TRUE(log.append(ts(1), "one"));
    ASSERT_TRUE(log.append(ts(2), "two"));
    auto refused = log.append(ts(3), "three");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("write log " + path.string()), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("1 lines held"), std::string::npos);
    EXPECT_FALSE(log.append(ts(4), "four"));
    EXPECT_EQ(log.held_lines(), 2u);
    EXPECT_EQ(fs::file_size(path), 64u) << "no half line is left behind";
  }
  ASSERT_TRUE(log.append(ts(5), "five"));
  EXPECT_EQ(log.held_lines(), 0u);
  LogsRequest request;
  request.tail = 0;
  auto result = read_logs(dir.path(), request, 1 << 20);
  std::vector<std::string> lines;
  for (const auto& entry : result.entries)
    lines.push_back(entry.line);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three", "four", "five"}));
}

TEST(RotatingLog, SaysHowManyLinesItDroppedBeyondWhatItHolds) {
  testlib::TempDir dir;
  const auto path = log_path(dir.path(), "runtime", "stdout");
  RotatingLog log(path, 64 << 20, 2);
  const std::string text(1000, 'x');
  {
    FileSizeLimit full(0);
    for (int i = 0; i < 1100; ++i)
      log.append(ts(i % 60), text);
    EXPECT_LT(log.held_lines(), 1100u);
  }
  ASSERT_TRUE(log.append(ts(59), "after"));
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  EXPECT_NE(first.find("earlier lines lost: the log could not be written"), std::string::npos)
      << first;
}

TEST(ReadLogs, MergesRolesAndStreamsByTimeAndTakesTheTail) {
  testlib::TempDir dir;
  RotatingLog out(log_path(dir.path(), "runtime", "stdout"), 1 << 20, 3);
  RotatingLog err(log_path(dir.path(), "runtime", "stderr"), 1 << 20, 3);
  ASSERT_TRUE(out.append(ts(1), "one"));
  ASSERT_TRUE(err.append(ts(2), "two"));
  ASSERT_TRUE(out.append(ts(3), "three"));
  LogsRequest request;
  request.tail = 2;
  auto result = read_logs(dir.path(), request, 1 << 20);
  ASSERT_EQ(result.entries.size(), 2u);
  EXPECT_EQ(result.entries[0].line, "two");
  EXPECT_EQ(result.entries[0].stream, "stderr");
  EXPECT_EQ(result.entries[1].line, "three");
  EXPECT_FALSE(result.truncated);

  request.tail = 0;
  request.stream = "stdout";
  request.since = ts(2);
  result = read_logs(dir.path(), request, 1 << 20);
  ASSERT_EQ(result.entries.size(), 1u);
  EXPECT_EQ(result.entries[0].line, "three");
}

TEST(ReadLogs, ReadsAcrossRotatedFilesAndStopsAtTheReplyLimit) {
  testlib::TempDir dir;
  RotatingLog log(log_path(dir.path(), "runtime", "stderr"), 200, 10);
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(log.append(ts(i), "entry " + std::to_string(i)));
  LogsRequest request;
  request.tail = 0;
  auto all = read_logs(dir.path(), request, 1 << 20);
  ASSERT_EQ(all.entries.size(), 40u);
  EXPECT_EQ(all.entries.front().line, "entry 0");
  EXPECT_EQ(all.entries.back().line, "entry 39");

  auto limited = read_logs(dir.path(), request, 1000);
  EXPECT_TRUE(limited.truncated);
  ASSERT_FALSE(limited.entries.empty());
  EXPECT_EQ(limited.entries.back().line, "entry 39");
}

TEST(Timestamps, SinceAcceptsRfc3339AndDurations) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1738314902));
  EXPECT_EQ(format_timestamp(now), "2025-01-31T09:15:02.000000Z");
  EXPECT_EQ(*normalize_since("2025-01-31T09:15:02Z", now), "2025-01-31T09:15:02.000000Z");
  EXPECT_EQ(*normalize_since("2025-01-31T10:15:02.5+01:00", now), "2025-01-31T09:15:02.500000Z");
  EXPECT_EQ(*normalize_since("10m", now), "2025-01-31T09:05:02.000000Z");
  EXPECT_EQ(*normalize_since("1d", now), "2025-01-30T09:15:02.000000Z");
  EXPECT_FALSE(normalize_since("yesterday", now));
  EXPECT_FALSE(normalize_since("2025-01-31", now));
}

}  // namespace
}  // namespace oxydra::runner
