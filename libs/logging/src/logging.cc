#include "oxydra/logging/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "oxydra/logging/journal.h"
#include "oxydra/logging/redact.h"

namespace oxydra::logging {

namespace {

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

std::string timestamp(spdlog::log_clock::time_point tp) {
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(tp);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(tp - secs).count();
  const std::time_t t = spdlog::log_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

// Formats each record itself (text or JSON lines) after redacting the message,
// so no formatter path can bypass redaction.
class RedactingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RedactingStderrSink(Format format, std::string program)
      : format_(format), program_(std::move(program)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string text = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line;
    if (format_ == Format::json) {
      line = "{\"ts\":\"" + timestamp(msg.time) + "\",\"level\":";
      append_json_string(line, std::string_view(level.data(), level.size()));
      line += ",\"program\":";
      append_json_string(line, program_);
      line += ",\"msg\":";
      append_json_string(line, text);
      line += "}\n";
    } else {
      line = timestamp(msg.time) + " " + std::string(level.data(), level.size()) + " " + program_ +
             ": " + text + "\n";
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  Format format_;
  std::string program_;
};

struct JournalState {
  std::mutex mutex;
  std::shared_ptr<Journal> journal;
  JournalFields fields;  // sent with each of this process's own lines
};

JournalState& journal_state() {
  static JournalState state;
  return state;
}

std::string priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "7";
    case spdlog::level::info:
      return "6";
    case spdlog::level::warn:
      return "4";
    case spdlog::level::err:
      return "3";
    default:
      return "2";
  }
}

// Each record as one journal entry with its priority and this process's
// fields; written to stderr instead when journald does not take it.
class RedactingJournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RedactingJournalSink(std::shared_ptr<Journal> journal, std::string program)
      : journal_(std::move(journal)), program_(std::move(program)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string text = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    JournalFields fields{
        {"MESSAGE", text}, {"PRIORITY", priority(msg.level)}, {"SYSLOG_IDENTIFIER", program_}};
    {
      auto& state = journal_state();
      std::lock_guard lock(state.mutex);
      fields.insert(fields.end(), state.fields.begin(), state.fields.end());
    }
    if (journal_->send(fields)) return;
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string line = timestamp(msg.time) + " " + std::string(level.data(), level.size()) +
                             " " + program_ + ": " + text + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  std::shared_ptr<Journal> journal_;
  std::string program_;
};

}  // namespace

std::shared_ptr<Journal> active_journal() {
  auto& state = journal_state();
  std::lock_guard lock(state.mutex);
  return state.journal;
}

void add_journal_field(std::string key, std::string value) {
  auto& state = journal_state();
  std::lock_guard lock(state.mutex);
  state.fields.emplace_back(std::move(key), std::move(value));
}

bool parse_format(const std::string& text, Format& out) {
  if (text == "text") {
    out = Format::text;
  } else if (text == "json") {
    out = Format::json;
  } else if (text == "journal") {
    out = Format::journal;
  } else {
    return false;
  }
  return true;
}

void setup(const Options& options) {
  std::string level = options.level;
  if (level.empty()) {
    const char* env = std::getenv("OXYDRA_LOG");
    level = env && *env ? env : "info";
  }
  // Under systemd (stderr is the journal) text lines become journal entries
  // with fields; JSON lines stay JSON, for shippers that parse them.
  std::shared_ptr<Journal> journal;
  if (options.format == Format::journal ||
      (options.format == Format::text && stderr_is_journal())) {
    journal = Journal::connect();
  }
  {
    auto& state = journal_state();
    std::lock_guard lock(state.mutex);
    state.journal = journal;
  }
  spdlog::sink_ptr sink;
  if (journal) {
    sink = std::make_shared<RedactingJournalSink>(journal, options.program);
  } else {
    const Format format = options.format == Format::json ? Format::json : Format::text;
    sink = std::make_shared<RedactingStderrSink>(format, options.program);
  }
  auto logger = std::make_shared<spdlog::logger>(options.program, std::move(sink));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace oxydra::logging
