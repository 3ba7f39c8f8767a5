#pragma once

#include "oxydra/logging/logging.h"

namespace CLI {
class App;
}

namespace oxydra::logging {

// Adds --log-format (text|json) and --log-level to a CLI11 app.
void add_flags(CLI::App& app, Options& options);

}  // namespace oxydra::logging
