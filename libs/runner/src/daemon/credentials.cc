#include "daemon/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "oxydra/logging/redact.h"
#include "oxydra/sys/no_follow.h"

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

constexpr std::size_t kMaxSecretBytes = std::size_t{64} * 1024;

Result<std::string> read_secret_file(const std::string& name, const CredentialRef& ref,
                                     const std::filesystem::path& secrets_dir) {
  if (secrets_dir.empty()) return missing(name, ref, "file refs are not allowed (no secrets_dir)");
  sys::UniqueFd fd = sys::open_beneath(secrets_dir, ref.target, O_RDONLY | O_NOCTTY);
  if (!fd) {
    const int error = errno;
    if (error == ELOOP || error == EXDEV)
      return missing(name, ref, "reached through a symlink or outside " + secrets_dir.string());
    return missing(name, ref, std::string("cannot read the file: ") + std::strerror(error));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return missing(name, ref, "not a regular file");
  if ((st.st_mode & 077) != 0) {
    spdlog::warn("credential {}: {} is readable by group or others (mode {:o})", name, ref.target,
                 st.st_mode & 0777);
  }
  std::string value;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return missing(name, ref, std::string("read: ") + std::strerror(errno));
    if (n == 0) break;
    value.append(buffer, static_cast<std::size_t>(n));
    if (value.size() > kMaxSecretBytes) return missing(name, ref, "larger than 64 KiB");
  }
  if (!value.empty() && value.back() == '\n') value.pop_back();
  if (!value.empty() && value.back() == '\r') value.pop_back();
  if (value.empty()) return missing(name, ref, "the file is empty");
  return value;
}

}  // namespace

Result<ResolvedCredentials> resolve_credentials(const std::map<std::string, CredentialRef>& refs,
                                                const AgentConfig& agent, const EnvLookup& env,
                                                const std::filesystem::path& secrets_dir) {
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
    auto read = read_secret_file(name, ref, secrets_dir);
    if (!read) return tl::unexpected(read.error());
    value = std::move(*read);
  }
  logging::register_secret(value);
  out.values[name] = std::move(value);
  return out;
}

}  // namespace oxydra::runner
