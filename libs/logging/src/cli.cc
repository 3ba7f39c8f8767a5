#include "oxydra/logging/cli.h"

#include <CLI/CLI.hpp>

namespace oxydra::logging {

void add_flags(CLI::App& app, Options& options) {
  app.add_option_function<std::string>(
         "--log-format",
         [&options](const std::string& value) {
           if (!parse_format(value, options.format)) {
             throw CLI::ValidationError("--log-format", "must be `text`, `json` or `journal`");
           }
         },
         "Log format: text, json (JSON lines) or journal (entries with fields on "
         "journald's socket; the default for text under systemd)")
      ->type_name("text|json|journal");
  app.add_option("--log-level", options.level,
                 "trace|debug|info|warn|error|critical|off (default: $OXYDRA_LOG, then info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
}

}  // namespace oxydra::logging
