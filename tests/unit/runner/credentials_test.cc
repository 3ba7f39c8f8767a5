#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "daemon/credentials.h"
#include "oxydra/logging/redact.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

AgentConfig agent_using(const std::string& credential) {
  AgentConfig agent;
  agent.provider = "openai";
  agent.providers["openai"].base_url = "https://api.openai.com/v1";
  agent.providers["openai"].model = "m";
  agent.providers["openai"].credential = credential;
  agent.providers["other"].credential = "other";
  return agent;
}

std::map<std::string, CredentialRef> refs(const std::string& openai_ref) {
  return {{"openai", *parse_credential_ref(openai_ref)},
          {"other", *parse_credential_ref("env:OXY_TEST_UNSET_OTHER")}};
}

EnvLookup env_with(const std::map<std::string, std::string>& vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Credentials, ResolvesOnlyTheSelectedProvidersCredential) {
  auto resolved = resolve_credentials(refs("env:OXY_KEY"), agent_using("openai"),
                                      env_with({{"OXY_KEY", "sk-secret-value"}}));
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->values, (std::map<std::string, std::string>{{"openai", "sk-secret-value"}}));
  EXPECT_EQ(resolved->refs.at("other"), "env:OXY_TEST_UNSET_OTHER");
  EXPECT_EQ(logging::redact("key sk-secret-value"), "key [redacted]");
  logging::clear_secrets();
}

TEST(Credentials, MissingVariableNamesTheRefNotAValue) {
  auto resolved = resolve_credentials(refs("env:OXY_KEY"), agent_using("openai"), env_with({}));
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().code, ErrorCode::credential_missing);
  EXPECT_NE(resolved.error().message.find("env:OXY_KEY"), std::string::npos);
}

TEST(Credentials, FileRefTrimsOneNewlineAndRefusesEmptyOrMissing) {
  testlib::TempDir dir;
  const std::string path = dir.file("key");
  std::ofstream(path) << "sk-from-file\n";
  auto resolved =
      resolve_credentials(refs("file:" + path), agent_using("openai"), env_with({}), dir.path());
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->values.at("openai"), "sk-from-file");
  logging::clear_secrets();

  std::ofstream(path, std::ios::trunc) << "\n";
  auto empty =
      resolve_credentials(refs("file:" + path), agent_using("openai"), env_with({}), dir.path());
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);

  auto missing = resolve_credentials(refs("file:" + dir.file("absent")), agent_using("openai"),
                                     env_with({}), dir.path());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("file:" + dir.file("absent")), std::string::npos);
}

TEST(Credentials, FileRefNeverFollowsASymlinkOrLeavesTheSecretsDirectory) {
  testlib::TempDir dir;
  const std::string secrets = dir.file("secrets");
  std::filesystem::create_directories(secrets + "/alice");
  std::ofstream(dir.file("outside")) << "root-only-value\n";
  std::filesystem::create_symlink(dir.file("outside"), secrets + "/alice/key");
  std::filesystem::create_directory_symlink(dir.path(), secrets + "/alice/up");
  for (const std::string& target :
       {secrets + "/alice/key", secrets + "/alice/up/outside", dir.file("outside")}) {
    auto resolved = resolve_credentials(refs("file:" + target), agent_using("openai"), env_with({}),
                                        secrets + "/alice");
    ASSERT_FALSE(resolved) << target;
    EXPECT_EQ(resolved.error().code, ErrorCode::credential_missing);
    EXPECT_EQ(resolved.error().message.find("root-only-value"), std::string::npos);
  }
  // Without a secrets directory no file ref is read at all.
  std::ofstream(secrets + "/alice/real") << "v\n";
  EXPECT_FALSE(resolve_credentials(refs("file:" + secrets + "/alice/real"), agent_using("openai"),
                                   env_with({})));
}

TEST(Credentials, ProviderWithoutCredentialNeedsNone) {
  auto resolved = resolve_credentials(refs("env:OXY_KEY"), agent_using(""), env_with({}));
  ASSERT_TRUE(resolved);
  EXPECT_TRUE(resolved->values.empty());
}

}  // namespace
}  // namespace oxydra::runner
