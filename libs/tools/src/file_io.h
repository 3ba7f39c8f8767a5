#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "oxydra/tools/file_roots.h"
#include "oxydra/tools/tool.h"
#include "oxydra/types/error.h"

namespace oxydra::tools {

// The tool's answer for a path or I/O error: "<tool>: <message>", keeping the code.
ToolOutput file_failure(std::string_view tool, const Error& error);

// fstat, refusing anything but a regular file ("shared/x is a directory ...").
Result<struct stat> regular_file(int fd, const Location& at);

// Reads up to `max` bytes from the start of the file (pread, so the offset stays).
Result<std::string> read_up_to(int fd, std::uint64_t max, const Location& at);

// Overwrites the file from the start with `data` and cuts it to that length.
Result<void> replace_contents(int fd, std::string_view data, const Location& at);

std::string plural(std::uint64_t n, std::string_view one, std::string_view many);

}  // namespace oxydra::tools
