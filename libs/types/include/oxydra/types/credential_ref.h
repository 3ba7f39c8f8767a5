#pragma once

#include <string>
#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra {

// Where the runner finds a secret: "env:NAME" (an environment variable of the
// runner) or "file:PATH" (a file; a relative PATH resolves against the config
// file that names it). Only the runner resolves refs; the value then travels
// in the bootstrap envelope and nowhere else.
struct CredentialRef {
  enum class Kind { env, file };
  Kind kind = Kind::env;
  std::string target;  // the variable name, or the file path

  bool operator==(const CredentialRef&) const = default;
};

// Parses "env:NAME" (NAME matches [A-Za-z_][A-Za-z0-9_]*) or "file:PATH" (PATH
// non-empty); error code "invalid_value", the message says what was expected.
Result<CredentialRef> parse_credential_ref(std::string_view text);

// The "env:NAME" / "file:PATH" form, as sent in the envelope's credential_refs.
std::string to_string(const CredentialRef& ref);

// Credential names (the keys of credential_refs, and what an agent config's
// provider `credential` names): 1-64 characters of [A-Za-z0-9._-].
Result<void> validate_credential_name(std::string_view name);

// True for a portable environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool is_env_var_name(std::string_view name);

}  // namespace oxydra
