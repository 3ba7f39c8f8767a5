#include "daemon/credentials.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "oxydra/logging/redact.h"

namespace oxydra::runner {

namespace {

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

tl::unexpected<Error> missing(const std::string& name, const CredentialRef& ref,
                              const std::string& why) {
  return fail(ErrorCode::credential_missing,
              "credential " + name + " (" + to_string(ref) + "): " + why);
}

Result<std::string> read_secret_file(const std::string& name, const CredentialRef& ref) {
  struct stat st {};
  if (::stat(ref.target.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    spdlog::warn("credential {}: {} is readable by group or others (mode {:o})", name, ref.target,
                 st.st_mode & 0777);
  }
  std::ifstream in(ref.target, std::ios::binary);
  if (!in) return missing(name, ref, std::string("cannot read the file: ") + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  std::string value = out.str();
  if (!value.empty() && value.back() == '\n') value.pop_back();
  if (!value.empty() && value.back() == '\r') value.pop_back();
  if (value.empty()) return missing(name, ref, "the file is empty");
  return value;
}

}  // namespace

Result<ResolvedCredentials> resolve_credentials(const std::map<std::string, CredentialRef>& refs,
                                                const AgentConfig& agent, const EnvLookup& env) {
  ResolvedCredentials out;
  for (const auto& [name, ref] : refs)
    out.refs[name] = to_string(ref);

  const auto provider = agent.providers.find(agent.provider);
  if (provider == agent.providers.end() || provider->second.credential.empty()) return out;
  const std::string& name = provider->second.credential;
  const auto it = refs.find(name);
  if (it == refs.end()) {
    return fail(ErrorCode::credential_missing, "credential " + name + ": used by providers." +
                                                   agent.provider +
                                                   " but not among the user's credential_refs");
  }
  const CredentialRef& ref = it->second;
  std::string value;
  if (ref.kind == CredentialRef::Kind::env) {
    auto found = env ? env(ref.target) : process_env(ref.target);
    if (!found || found->empty()) {
      return missing(name, ref, "the environment variable " + ref.target + " is not set");
    }
    value = std::move(*found);
  } else {
    auto read = read_secret_file(name, ref);
    if (!read) return tl::unexpected(read.error());
    value = std::move(*read);
  }
  logging::register_secret(value);
  out.values[name] = std::move(value);
  return out;
}

}  // namespace oxydra::runner
