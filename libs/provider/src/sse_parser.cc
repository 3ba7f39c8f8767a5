#include "oxydra/provider/sse_parser.h"

#include <cstring>

namespace oxydra::provider {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr std::size_t kBomSize = 3;

std::optional<std::int64_t> parse_retry(std::string_view value) {
  if (value.empty() || value.size() > 18) return std::nullopt;
  std::int64_t ms = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    ms = ms * 10 + (c - '0');
  }
  return ms;
}

}  // namespace

SseParser::SseParser(SseLimits limits) : limits_(limits) {}

Result<void> SseParser::too_large(std::string_view what, std::size_t limit) {
  failed_ = true;
  line_.clear();
  data_.clear();
  return fail(ErrorCode::invalid_response,
              "event stream " + std::string(what) + " exceeds " + std::to_string(limit) + " bytes");
}

Result<void> SseParser::feed(std::string_view bytes) {
  if (failed_) return fail(ErrorCode::invalid_response, "event stream parser already failed");

  // A BOM may itself arrive split; bytes that turn out not to be one are data
  // of the first line (they hold no line terminator).
  while (!bom_checked_ && !bytes.empty()) {
    if (bytes.front() == kBom[bom_matched_]) {
      bytes.remove_prefix(1);
      if (++bom_matched_ == kBomSize) bom_checked_ = true;
    } else {
      line_.append(kBom, bom_matched_);
      bom_checked_ = true;
    }
  }
  if (after_cr_ && !bytes.empty()) {
    if (bytes.front() == '\n') bytes.remove_prefix(1);
    after_cr_ = false;
  }

  while (!bytes.empty()) {
    // Two memchr passes beat a per-byte "CR or LF" loop on the common LF-only stream.
    const char* begin = bytes.data();
    const auto* lf = static_cast<const char*>(std::memchr(begin, '\n', bytes.size()));
    const std::size_t scan = lf ? static_cast<std::size_t>(lf - begin) : bytes.size();
    const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', scan));
    const std::size_t end = cr ? static_cast<std::size_t>(cr - begin) : scan;

    if (end == bytes.size()) {
      if (line_.size() + bytes.size() > limits_.max_line_bytes)
        return too_large("line", limits_.max_line_bytes);
      line_.append(bytes);
      return {};
    }

    const std::string_view piece = bytes.substr(0, end);
    const char terminator = bytes[end];
    bytes.remove_prefix(end + 1);
    if (terminator == '\r') {
      if (bytes.empty()) {
        after_cr_ = true;
      } else if (bytes.front() == '\n') {
        bytes.remove_prefix(1);
      }
    }

    if (line_.size() + piece.size() > limits_.max_line_bytes)
      return too_large("line", limits_.max_line_bytes);
    Result<void> processed;
    if (line_.empty()) {
      processed = process_line(piece);
    } else {
      line_.append(piece);
      processed = process_line(line_);
      line_.clear();
    }
    if (!processed) return processed;
  }
  return {};
}

Result<void> SseParser::process_line(std::string_view line) {
  if (line.empty()) {
    dispatch();
    return {};
  }
  if (line.front() == ':') return {};  // comment, e.g. ": OPENROUTER PROCESSING"

  const std::size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }

  if (field == "data") {
    const std::size_t grown = data_.size() + value.size() + (has_data_ ? 1 : 0);
    if (grown > limits_.max_event_bytes) return too_large("event", limits_.max_event_bytes);
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  } else if (field == "retry") {
    if (auto ms = parse_retry(value)) retry_ms_ = ms;
  }
  return {};
}

void SseParser::dispatch() {
  if (has_data_) {
    SseEvent event;
    if (!event_type_.empty()) event.event = event_type_;
    event.data = std::move(data_);
    event.id = last_id_;
    ready_.push_back(std::move(event));
  }
  data_.clear();
  event_type_.clear();
  has_data_ = false;
}

void SseParser::finish() {
  if (failed_) return;
  if (!bom_checked_) {
    line_.append(kBom, bom_matched_);
    bom_checked_ = true;
  }
  if (!line_.empty()) {
    if (!process_line(line_)) return;  // over the event limit: failed_ is set
    line_.clear();
  }
  dispatch();
}

std::optional<SseEvent> SseParser::next() {
  if (ready_.empty()) return std::nullopt;
  SseEvent event = std::move(ready_.front());
  ready_.pop_front();
  return event;
}

}  // namespace oxydra::provider
