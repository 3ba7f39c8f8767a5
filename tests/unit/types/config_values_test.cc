#include <gtest/gtest.h>

#include <string>

#include "oxydra/types/credential_ref.h"
#include "oxydra/types/http_url.h"
#include "oxydra/types/sandbox_tier.h"
#include "oxydra/types/user_id.h"
#include "oxydra/types/workspace_layout.h"

namespace oxydra {
namespace {

TEST(SandboxTier, RoundTripsEveryName) {
  for (auto tier : {SandboxTier::micro_vm, SandboxTier::container, SandboxTier::process}) {
    auto parsed = parse_sandbox_tier(to_string(tier));
    ASSERT_TRUE(parsed) << to_string(tier);
    EXPECT_EQ(*parsed, tier);
  }
}

TEST(SandboxTier, RejectsUnknownAndWrongCase) {
  for (const char* bad : {"", "vm", "Container", "micro-vm", "process "}) {
    auto parsed = parse_sandbox_tier(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_value);
  }
}

TEST(SandboxTier, StrengthOrdersMicroVmContainerProcess) {
  EXPECT_GT(isolation_strength(SandboxTier::micro_vm), isolation_strength(SandboxTier::container));
  EXPECT_GT(isolation_strength(SandboxTier::container), isolation_strength(SandboxTier::process));
}

TEST(UserId, AcceptsTheSafeAlphabet) {
  for (const char* good : {"alice", "A", "bob.smith", "u_1-2", "x.y", "a.", "0"}) {
    EXPECT_TRUE(validate_user_id(good)) << good;
  }
  EXPECT_TRUE(validate_user_id(std::string(kMaxUserIdLength, 'z')));
}

TEST(UserId, RejectsEachRuleWithItsReason) {
  struct Case {
    std::string id;
    std::string message;
  };
  const Case cases[] = {
      {"", "user id must not be empty"},
      {std::string(65, 'a'), "user id is longer than 64 characters"},
      {"al ice", "user id contains ' ' (allowed: A-Z a-z 0-9 . _ -)"},
      {"a/b", "user id contains '/' (allowed: A-Z a-z 0-9 . _ -)"},
      {"a\nb", "user id contains byte 0x0a (allowed: A-Z a-z 0-9 . _ -)"},
      {"\xc3\xa9t\xc3\xa9", "user id contains byte 0xc3 (allowed: A-Z a-z 0-9 . _ -)"},
      {".hidden", "user id must not start with '.'"},
      {".", "user id must not start with '.'"},
      {"..", "user id must not start with '.'"},
      {"a..b", "user id must not contain \"..\""},
  };
  for (const auto& c : cases) {
    auto result = validate_user_id(c.id);
    ASSERT_FALSE(result) << c.id;
    EXPECT_EQ(result.error().code, ErrorCode::invalid_user_id);
    EXPECT_EQ(result.error().message, c.message);
  }
}

TEST(CredentialRef, ParsesEnvAndFile) {
  auto env = parse_credential_ref("env:OPENAI_API_KEY");
  ASSERT_TRUE(env);
  EXPECT_EQ(env->kind, CredentialRef::Kind::env);
  EXPECT_EQ(env->target, "OPENAI_API_KEY");
  EXPECT_EQ(to_string(*env), "env:OPENAI_API_KEY");
  auto file = parse_credential_ref("file:secrets/key");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->kind, CredentialRef::Kind::file);
  EXPECT_EQ(to_string(*file), "file:secrets/key");
}

TEST(CredentialRef, RejectsBadSyntax) {
  for (const char* bad :
       {"", "OPENAI_API_KEY", "env:", "env:1ABC", "env:A-B", "file:", "vault:x", "ENV:X"}) {
    auto ref = parse_credential_ref(bad);
    ASSERT_FALSE(ref) << bad;
    EXPECT_EQ(ref.error().code, ErrorCode::invalid_value);
  }
}

TEST(CredentialRef, NamesAreShortAndSafe) {
  EXPECT_TRUE(validate_credential_name("openai"));
  EXPECT_TRUE(validate_credential_name("anthropic.work-2_b"));
  EXPECT_FALSE(validate_credential_name(""));
  EXPECT_FALSE(validate_credential_name("has space"));
  EXPECT_FALSE(validate_credential_name(std::string(65, 'a')));
  EXPECT_TRUE(is_env_var_name("_X1"));
  EXPECT_FALSE(is_env_var_name("1X"));
}

TEST(HttpUrl, ParsesSchemeHostPortAndPath) {
  auto url = parse_http_url("https://api.openai.com/v1");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, (HttpUrl{"https", "api.openai.com", 443, "/v1"}));
  url = parse_http_url("http://127.0.0.1:8080");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, (HttpUrl{"http", "127.0.0.1", 8080, ""}));
  url = parse_http_url("http://[::1]:11434/v1");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, (HttpUrl{"http", "::1", 11434, "/v1"}));
  url = parse_http_url("https://[fe80::1]");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, 443);
}

TEST(HttpUrl, RejectsWhatItCannotHonour) {
  for (const char* bad :
       {"", "ftp://x", "api.openai.com", "https://", "https://:443", "http://host:0",
        "http://host:65536", "http://host:", "http://host:8x", "https://user@host",
        "https://h/v1?x=1", "https://h#f", "http://[::1", "http://ho st"}) {
    auto url = parse_http_url(bad);
    ASSERT_FALSE(url) << bad;
    EXPECT_EQ(url.error().code, ErrorCode::invalid_value);
  }
}

TEST(WorkspaceLayout, PutsEveryDirectoryUnderTheUser) {
  auto layout = workspace_layout("/srv/oxydra", "alice");
  EXPECT_EQ(layout.root, "/srv/oxydra/alice");
  EXPECT_EQ(layout.shared, "/srv/oxydra/alice/shared");
  EXPECT_EQ(layout.tmp, "/srv/oxydra/alice/tmp");
  EXPECT_EQ(layout.vault, "/srv/oxydra/alice/vault");
  EXPECT_EQ(layout.ipc, "/srv/oxydra/alice/ipc");
  EXPECT_EQ(layout.logs, "/srv/oxydra/alice/logs");
  EXPECT_EQ(layout.internal, "/srv/oxydra/alice/internal");
}

TEST(WorkspaceLayout, PathWithinComparesWholeComponents) {
  EXPECT_TRUE(path_within("/a/b/c", "/a/b"));
  EXPECT_TRUE(path_within("/a/b", "/a/b/"));
  EXPECT_TRUE(path_within("/a/b/../b/c", "/a/b"));
  EXPECT_FALSE(path_within("/a/bc", "/a/b"));
  EXPECT_FALSE(path_within("/a", "/a/b"));
  EXPECT_TRUE(path_within("/anything", "/"));
}

}  // namespace
}  // namespace oxydra
