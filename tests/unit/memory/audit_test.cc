#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "oxydra/logging/redact.h"
#include "oxydra/memory/audit.h"
#include "oxydra/memory/sha256.h"
#include "temp_dir.h"

namespace oxydra::memory {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

const std::string kZeros(64, '0');

AuditRecord shell_call(std::string command, int exit_code = 0) {
  AuditRecord r;
  r.session_id = "chat-20240501-120000-1a2b3c4d";
  r.tool = "shell_exec";
  r.arguments = {{"command", std::move(command)}, {"timeout_secs", 30}};
  r.exit_code = exit_code;
  r.duration_ms = 12;
  r.stdout_bytes = 5;
  r.stderr_bytes = 0;
  return r;
}

std::vector<nlohmann::json> records(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::string data = testing::read_all(path);
  std::size_t start = 0;
  for (auto nl = data.find('\n'); nl != std::string::npos; nl = data.find('\n', start)) {
    out.push_back(nlohmann::json::parse(data.substr(start, nl - start)));
    start = nl + 1;
  }
  return out;
}

TEST(AuditLog, WritesOneChainedRecordPerCall) {
  TempDir dir;
  const std::string path = dir.file("audit.jsonl");
  auto log = AuditLog::open(path, {.sync = false});
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->last_hash(), kZeros);
  EXPECT_EQ(log->append(shell_call("echo hello")).value(), 1u);
  AuditRecord failed;
  failed.session_id = "chat-1";
  failed.tool = "file_read";
  failed.arguments = {{"path", "../etc/passwd"}};
  failed.error = "path escapes the workspace";
  failed.output_bytes = 0;
  failed.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564800123));
  EXPECT_EQ(log->append(failed).value(), 2u);

  std::string data = testing::read_all(path);
  std::string first_line = data.substr(0, data.find('\n'));
  EXPECT_EQ(testing::file_mode(path), 0600u);
  auto lines = records(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["seq"], 1);
  EXPECT_EQ(lines[0]["prev_hash"], kZeros);
  EXPECT_EQ(lines[0]["tool"], "shell_exec");
  EXPECT_EQ(lines[0]["arguments"]["command"], "echo hello");
  EXPECT_EQ(lines[0]["exit_code"], 0);
  EXPECT_EQ(lines[0]["duration_ms"], 12);
  EXPECT_EQ(lines[0]["stdout_bytes"], 5);
  EXPECT_EQ(lines[0]["stderr_bytes"], 0);
  EXPECT_FALSE(lines[0].contains("error"));
  EXPECT_EQ(lines[1]["prev_hash"], sha256_hex(first_line));
  EXPECT_EQ(lines[1]["ts"], "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(lines[1]["error"], "path escapes the workspace");
  EXPECT_EQ(lines[1]["output_bytes"], 0);
  EXPECT_FALSE(lines[1].contains("exit_code"));
  EXPECT_EQ(log->last_hash(),
            sha256_hex(data.substr(first_line.size() + 1, data.size() - first_line.size() - 2)));

  auto summary = verify_audit_log(path);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->lines, 2u);
  EXPECT_EQ(summary->last_hash, log->last_hash());
}

TEST(AuditLog, ReopenContinuesTheChain) {
  TempDir dir;
  const std::string path = dir.file("audit.jsonl");
  std::string hash;
  {
    auto log = AuditLog::open(path);
    ASSERT_TRUE(log);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(log->append(shell_call("true")));
    hash = log->last_hash();
  }
  auto log = AuditLog::open(path);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->last_seq(), 3u);
  EXPECT_EQ(log->last_hash(), hash);
  EXPECT_EQ(log->append(shell_call("false", 1)).value(), 4u);
  auto summary = verify_audit_log(path);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->lines, 4u);
  EXPECT_EQ(records(path)[3]["prev_hash"], hash);
}

TEST(AuditLog, ReopenContinuesAfterALongLastLine) {
  TempDir dir;
  const std::string path = dir.file("audit.jsonl");
  {
    auto log = AuditLog::open(path, {.sync = false});
    ASSERT_TRUE(log);
    AuditRecord big = shell_call("x");
    for (int i = 0; i < 200; ++i)
      big.arguments["k" + std::to_string(i)] = std::string(1000, 'y');
    ASSERT_TRUE(log->append(shell_call("a")));
    ASSERT_TRUE(log->append(big));
  }
  auto log = AuditLog::open(path, {.sync = false});
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->last_seq(), 2u);
  ASSERT_TRUE(log->append(shell_call("b")));
  EXPECT_EQ(verify_audit_log(path).value().lines, 3u);
}

TEST(AuditLog, OneWriterAtATime) {
  TempDir dir;
  const std::string path = dir.file("audit.jsonl");
  auto first = AuditLog::open(path);
  ASSERT_TRUE(first);
  auto second = AuditLog::open(path);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::audit_locked);
}

TEST(AuditLog, ConcurrentAppendsKeepOneChain) {
  TempDir dir;
  const std::string path = dir.file("audit.jsonl");
  auto log = AuditLog::open(path, {.sync = false});
  ASSERT_TRUE(log);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log] {
      for (int i = 0; i < 25; ++i)
        ASSERT_TRUE(log->append(shell_call("ls")));
    });
  }
  for (auto& thread : threads)
    thread.join();
  auto summary = verify_audit_log(path);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->lines, 100u);
}

TEST(AuditLog, RefusesToContinueAfterAnIncompleteLine) {
  TempDir dir;
  const std::string path = dir.file("audit.jsonl");
  {
    auto log = AuditLog::open(path);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->append(shell_call("true")));
  }
  std::string data = testing::read_all(path);
  testing::write_all(path, data + data.substr(0, 20));
  auto log = AuditLog::open(path);
  ASSERT_FALSE(log);
  EXPECT_THAT(log.error().message, HasSubstr("incomplete"));
}

TEST(AuditRedaction, SecretsNeverReachTheFile) {
  logging::clear_secrets();
  logging::register_secret("sk-live-0123456789abcdef");
  TempDir dir;
  const std::string path = dir.file("audit.jsonl");
  auto log = AuditLog::open(path);
  ASSERT_TRUE(log);
  AuditRecord r = shell_call("curl -H 'Authorization: Bearer sk-live-0123456789abcdef' x");
  r.arguments["env"] = {{"API_KEY", "plain-value-1"},
                        {"Github-Token", "plain-value-2"},
                        {"db_password", "plain-value-3"},
                        {"HOME", "/home/agent"}};
  r.arguments["headers"] = nlohmann::json::array({{{"authorization", "plain-value-4"}}});
  r.arguments["max_tokens"] = 100;
  r.error = "upstream said sk-live-0123456789abcdef is invalid";
  ASSERT_TRUE(log->append(r));
  logging::clear_secrets();

  std::string data = testing::read_all(path);
  EXPECT_THAT(data, Not(HasSubstr("sk-live")));
  EXPECT_THAT(data, Not(HasSubstr("plain-value")));
  auto line = records(path).at(0);
  EXPECT_EQ(line["arguments"]["command"], "curl -H 'Authorization: Bearer [redacted]' x");
  EXPECT_EQ(line["arguments"]["env"]["API_KEY"], "[redacted]");
  EXPECT_EQ(line["arguments"]["env"]["Github-Token"], "[redacted]");
  EXPECT_EQ(line["arguments"]["env"]["db_password"], "[redacted]");
  EXPECT_EQ(line["arguments"]["env"]["HOME"], "/home/agent");
  EXPECT_EQ(line["arguments"]["headers"][0]["authorization"], "[redacted]");
  EXPECT_EQ(line["arguments"]["max_tokens"], 100);
  EXPECT_EQ(line["error"], "upstream said [redacted] is invalid");
}

TEST(AuditRedaction, LongStringsAreCutOnACharacterBoundary) {
  std::string text = "a" + std::string(3000, '\xC3');
  for (std::size_t i = 2; i < text.size(); i += 2)
    text[i] = '\xA9';  // "é" repeated
  auto out = redact_arguments({{"content", text}})["content"].get<std::string>();
  EXPECT_LT(out.size(), 2100u);
  EXPECT_THAT(out, HasSubstr("more bytes]"));
  std::string kept = out.substr(0, out.find("..."));
  EXPECT_EQ(kept.size() % 2, 1u);  // "a" plus whole two-byte characters
  EXPECT_NO_THROW((void)nlohmann::json(out).dump());
}

}  // namespace
}  // namespace oxydra::memory
