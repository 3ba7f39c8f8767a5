#pragma once

#include <string>

namespace oxydra::logging {

// journal: entries with fields on journald's socket (journal.h); also chosen
// for text while stderr is the journal. Without journald, text on stderr.
enum class Format { text, json, journal };

struct Options {
  Format format = Format::text;
  // trace|debug|info|warn|error|critical|off; empty means $OXYDRA_LOG, then info.
  std::string level;
  // Program name, shown in every line.
  std::string program = "oxydra";
};

// Installs the process-wide logger (stderr). Every line passes through the
// secret redactor (redact.h) before it is written. Safe to call again.
void setup(const Options& options);

// Parses "text" / "json" / "journal"; false for anything else.
bool parse_format(const std::string& text, Format& out);

}  // namespace oxydra::logging
