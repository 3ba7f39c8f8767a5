#pragma once

#include <string>
#include <string_view>

namespace oxydra::tools {

// Replaces each invalid UTF-8 sequence with U+FFFD: tool text goes into JSON,
// and file contents or command output may be any bytes.
std::string valid_utf8(std::string_view bytes);

// True when `bytes` looks like binary data (a NUL byte in it).
bool looks_binary(std::string_view bytes);

}  // namespace oxydra::tools
