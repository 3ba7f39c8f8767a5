#pragma once

#include <string>

#include "daemon/user_context.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// The exit status for an error, by its code (cli.h lists them).
int exit_code_for(const Error& error);

// Prints "error: <message>" and, where one helps, "hint: <what to do>" to
// stderr; returns exit_code_for(error). `selection` may be null (the config
// could not be read), which leaves hints generic.
int report_error(const Error& error, const Selection* selection);
inline int report_error(const Error& error, const Selection& selection) {
  return report_error(error, &selection);
}

}  // namespace oxydra::runner
