#pragma once

#include <string>
#include <string_view>

namespace oxydra::logging {

inline constexpr std::string_view kRedacted = "[redacted]";

// Registers a secret value: from now on every log line has each occurrence of
// it replaced by "[redacted]". Values shorter than 4 bytes are ignored (they
// would match ordinary text); they must never be logged by construction.
void register_secret(std::string_view value);

// Returns `text` with every registered secret replaced.
std::string redact(std::string_view text);

// Shows a secret for diagnostics without revealing it: "[redacted, 51 bytes]".
std::string describe_secret(std::string_view value);

// Forgets every registered secret (tests).
void clear_secrets();

}  // namespace oxydra::logging
