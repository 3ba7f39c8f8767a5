#include <chrono>
#include <filesystem>
#include <fstream>

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
