#include "oxydra/logging/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

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

}  // namespace

bool parse_format(const std::string& text, Format& out) {
  if (text == "text") {
    out = Format::text;
  } else if (text == "json") {
    out = Format::json;
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
  auto sink = std::make_shared<RedactingStderrSink>(options.format, options.program);
  auto logger = std::make_shared<spdlog::logger>(options.program, std::move(sink));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace oxydra::logging
