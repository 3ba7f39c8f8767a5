#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "oxydra/types/agent_config.h"
#include "oxydra/types/credential_ref.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// Secrets resolved for one start. They go into the bootstrap envelope and
// nowhere else; every value is registered with the log redactor.
struct ResolvedCredentials {
  std::map<std::string, std::string> values;  // name -> secret
  std::map<std::string, std::string> refs;    // every ref of the user: name -> "env:X"
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Resolves the credential the agent's selected provider uses (the others are
// only listed in `refs`: an agent gets no secret it has no use for). A
// variable that is unset or empty, or a file that is missing, unreadable or
// empty, is an error (code "credential_missing") naming the credential and its
// ref, never a value. A file value loses one trailing newline. A file ref is
// opened beneath `secrets_dir` (the user's directory in policy.secrets_dir)
// without following any symlink; with no `secrets_dir` file refs are refused.
// (Which refs a user config may hold at all is checked in resolve_user_policy.)
Result<ResolvedCredentials> resolve_credentials(const std::map<std::string, CredentialRef>& refs,
                                                const AgentConfig& agent, const EnvLookup& env = {},
                                                const std::filesystem::path& secrets_dir = {});

}  // namespace oxydra::runner
