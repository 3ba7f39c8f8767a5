#pragma once

#include <string>
#include <string_view>

namespace oxydra::memory {

// The audit line format shared by the writer and the verifier (see audit.h).

inline constexpr std::string_view kZeroHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Adds the `hash` member to a compact JSON object: `{...}` -> `{...,"hash":"<hex>"}`
// where <hex> is the SHA-256 of `body` itself.
std::string seal_line(std::string_view body);

enum class SealCheck { ok, malformed, mismatch };

// Checks a line's `hash` member against the rest of the line.
SealCheck check_seal(std::string_view line);

bool is_hex_hash(std::string_view text);

}  // namespace oxydra::memory
