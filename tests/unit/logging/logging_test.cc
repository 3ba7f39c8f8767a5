#include "oxydra/logging/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "oxydra/logging/redact.h"

namespace oxydra::logging {
namespace {

// Captures what the logger writes to stderr (fd 2) while `fn` runs.
template <typename Fn>
std::string capture_stderr(Fn fn) {
  std::fflush(stderr);
  char path[] = "/tmp/oxydra-log-XXXXXX";
  const int fd = mkstemp(path);
  const int saved = dup(2);
  dup2(fd, 2);
  fn();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  unlink(path);
  return ss.str();
}

TEST(Redact, ReplacesEveryOccurrenceOfARegisteredSecret) {
  clear_secrets();
  register_secret("sk-test-1234567890");
  EXPECT_EQ(redact("key=sk-test-1234567890 again sk-test-1234567890"),
            "key=[redacted] again [redacted]");
  EXPECT_EQ(redact("nothing secret"), "nothing secret");
}

TEST(Redact, LongerOverlappingSecretIsRedactedWhole) {
  clear_secrets();
  register_secret("abcd");
  register_secret("abcdefgh");
  EXPECT_EQ(redact("xabcdefghx"), "x[redacted]x");
}

TEST(Redact, TooShortValuesAreNotRegistered) {
  clear_secrets();
  register_secret("ab");
  EXPECT_EQ(redact("ab ab"), "ab ab");
  EXPECT_EQ(describe_secret("secret"), "[redacted, 6 bytes]");
}

TEST(Logging, TextLinesAreRedacted) {
  clear_secrets();
  register_secret("sk-live-SECRET-VALUE");
  setup(Options{Format::text, "info", "unit"});
  const std::string out =
      capture_stderr([] { spdlog::info("calling provider with sk-live-SECRET-VALUE now"); });
  EXPECT_EQ(out.find("sk-live-SECRET-VALUE"), std::string::npos);
  EXPECT_NE(out.find("calling provider with [redacted] now"), std::string::npos);
  EXPECT_NE(out.find(" info unit: "), std::string::npos);
}

TEST(Logging, JsonLinesAreOneObjectPerLine) {
  clear_secrets();
  setup(Options{Format::json, "debug", "unit"});
  const std::string out = capture_stderr([] { spdlog::debug("quote \" and\nnewline"); });
  EXPECT_NE(out.find("\"level\":\"debug\""), std::string::npos);
  EXPECT_NE(out.find("\"msg\":\"quote \\\" and\\nnewline\""), std::string::npos);
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);
}

TEST(Logging, LevelFromEnvironmentWhenFlagIsEmpty) {
  setenv("OXYDRA_LOG", "error", 1);
  setup(Options{Format::text, "", "unit"});
  const std::string out = capture_stderr([] {
    spdlog::info("hidden");
    spdlog::error("shown");
  });
  unsetenv("OXYDRA_LOG");
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_NE(out.find("shown"), std::string::npos);
}

}  // namespace
}  // namespace oxydra::logging
