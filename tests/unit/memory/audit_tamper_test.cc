#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "oxydra/memory/audit.h"
#include "temp_dir.h"

namespace oxydra::memory {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

constexpr int kLines = 5;

std::vector<std::string> split_lines(const std::string& data) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto nl = data.find('\n'); nl != std::string::npos; nl = data.find('\n', start)) {
    lines.push_back(data.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines)
    out += line + "\n";
  return out;
}

class AuditTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = AuditLog::open(path_, {.sync = false});
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 0; i < kLines; ++i) {
      AuditRecord r;
      r.session_id = "chat-1";
      r.tool = "shell_exec";
      r.arguments = {{"command", "echo " + std::to_string(i)}};
      r.exit_code = i;
      r.duration_ms = static_cast<std::int64_t>(i) * 10;
      r.stdout_bytes = 2;
      r.stderr_bytes = 0;
      ASSERT_TRUE(log->append(r));
    }
    original_ = testing::read_all(path_);
    lines_ = split_lines(original_);
    ASSERT_EQ(lines_.size(), static_cast<std::size_t>(kLines));
  }

  // Writes `data` over the log and returns the verifier's error message.
  std::string broken(const std::string& data) {
    // A new file rather than a truncated one: ext4 flushes on close after a
    // truncate, which makes a thousand rewrites slow.
    std::filesystem::remove(path_);
    testing::write_all(path_, data);
    auto summary = verify_audit_log(path_);
    if (summary) return "verified " + std::to_string(summary->lines) + " lines";
    EXPECT_EQ(summary.error().code, ErrorCode::audit_tampered);
    return summary.error().message;
  }

  std::string at(int line) { return path_ + ":" + std::to_string(line) + ": "; }

  TempDir dir_;
  std::string path_ = dir_.file("audit.jsonl");
  std::string original_;
  std::vector<std::string> lines_;
};

TEST_F(AuditTamper, IntactLogVerifies) {
  auto summary = verify_audit_log(path_);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->lines, static_cast<std::uint64_t>(kLines));
}

TEST_F(AuditTamper, EmptyLogVerifies) {
  EXPECT_EQ(broken(""), "verified 0 lines");
}

TEST_F(AuditTamper, MissingFileIsAnIoError) {
  auto summary = verify_audit_log(dir_.file("nope.jsonl"));
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ErrorCode::io);
}

// Every byte of every line, changed, is caught at that line.
TEST_F(AuditTamper, AnyEditedByteIsFoundOnItsLine) {
  for (int n = 0; n < kLines; ++n) {
    for (std::size_t pos = 0; pos < lines_[n].size(); ++pos) {
      auto lines = lines_;
      char& c = lines[n][pos];
      c = c == '1' ? '2' : '1';
      ASSERT_THAT(broken(join_lines(lines)), HasSubstr(at(n + 1)))
          << "line " << n + 1 << " byte " << pos;
    }
  }
}

TEST_F(AuditTamper, EditedValueNamesTheLine) {
  auto lines = lines_;
  auto pos = lines[2].find("\"exit_code\":2");
  ASSERT_NE(pos, std::string::npos);
  lines[2].replace(pos, 13, "\"exit_code\":0");
  EXPECT_EQ(broken(join_lines(lines)), at(3) + "line hash mismatch (the line was modified)");
}

// Rewriting a line and its own hash still breaks the next line's prev_hash.
TEST_F(AuditTamper, ResealedEditBreaksTheChainAtTheNextLine) {
  auto lines = lines_;
  // Replace line 2 with line 2 of a different, self-consistent log.
  TempDir other;
  auto log = AuditLog::open(other.file("audit.jsonl"), {.sync = false});
  ASSERT_TRUE(log);
  AuditRecord r;
  r.tool = "shell_exec";
  ASSERT_TRUE(log->append(r));
  ASSERT_TRUE(log->append(r));
  lines[1] = split_lines(testing::read_all(other.file("audit.jsonl")))[1];
  EXPECT_EQ(broken(join_lines(lines)),
            at(2) + "hash chain broken (prev_hash does not match line 1)");
}

TEST_F(AuditTamper, DeletedLineIsFound) {
  for (int n = 0; n < kLines - 1; ++n) {
    auto lines = lines_;
    lines.erase(lines.begin() + n);
    std::string expected =
        n == 0 ? at(1) + "hash chain broken (the first line's prev_hash is not zero)"
               : at(n + 1) + "hash chain broken (prev_hash does not match line " +
                     std::to_string(n) + ")";
    EXPECT_EQ(broken(join_lines(lines)), expected) << "deleted line " << n + 1;
  }
}

TEST_F(AuditTamper, ReorderedLinesAreFound) {
  auto lines = lines_;
  std::swap(lines[2], lines[3]);
  EXPECT_EQ(broken(join_lines(lines)),
            at(3) + "hash chain broken (prev_hash does not match line 2)");
  lines = lines_;
  std::swap(lines[0], lines[4]);
  EXPECT_THAT(broken(join_lines(lines)), HasSubstr(at(1)));
}

TEST_F(AuditTamper, DuplicatedLineIsFound) {
  auto lines = lines_;
  lines.insert(lines.begin() + 2, lines[1]);
  EXPECT_EQ(broken(join_lines(lines)),
            at(3) + "hash chain broken (prev_hash does not match line 2)");
}

TEST_F(AuditTamper, InsertedOrTruncatedTextIsFound) {
  auto lines = lines_;
  lines.insert(lines.begin() + 1, "");
  EXPECT_EQ(broken(join_lines(lines)), at(2) + "empty line");
  lines = lines_;
  lines.insert(lines.begin() + 1, R"({"seq":2})");
  EXPECT_EQ(broken(join_lines(lines)), at(2) + "missing or malformed \"hash\" member");
  EXPECT_EQ(broken(original_.substr(0, original_.size() - 10)),
            at(5) + "incomplete line (no newline at the end)");
}

}  // namespace
}  // namespace oxydra::memory
