#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra::provider {

// One dispatched server-sent event (WHATWG HTML "event stream" interpretation).
struct SseEvent {
  std::string event = "message";  // the `event:` field, "message" when absent
  std::string data;               // `data:` lines joined with '\n'
  std::string id;                 // the last `id:` seen on the stream
};

struct SseLimits {
  std::size_t max_line_bytes = 1u << 20;   // one line, terminator excluded
  std::size_t max_event_bytes = 8u << 20;  // the joined data of one event
};

// Pure, incremental event-stream parser: feed any byte slices, pull complete
// events. Handles CRLF, CR and LF line endings (also split across slices), a
// UTF-8 BOM at the start, comments and unknown fields. Exceeding a limit is a
// terminal `invalid_response` error; memory never grows past the limits.
// `[DONE]` and other payload conventions belong to the consumers.
class SseParser {
 public:
  explicit SseParser(SseLimits limits = {});

  Result<void> feed(std::string_view bytes);

  // At end of stream. The spec drops an event that lacks its closing blank
  // line; servers that end with "data: [DONE]" and no blank line exist, so the
  // pending line and event are dispatched instead.
  void finish();

  std::optional<SseEvent> next();

  bool failed() const { return failed_; }
  // The last valid `retry:` field (reconnection delay in ms), if any.
  std::optional<std::int64_t> retry_ms() const { return retry_ms_; }
  // Bytes of an unfinished line or event held (non-zero at EOF means truncation).
  std::size_t pending_bytes() const { return line_.size() + data_.size(); }

 private:
  Result<void> process_line(std::string_view line);
  void dispatch();
  Result<void> too_large(std::string_view what, std::size_t limit);

  SseLimits limits_;
  std::string line_;        // an unfinished line carried over from an earlier slice
  std::string event_type_;  // fields of the event being assembled
  std::string data_;
  bool has_data_ = false;
  std::string last_id_;
  std::optional<std::int64_t> retry_ms_;
  std::size_t bom_matched_ = 0;
  bool bom_checked_ = false;
  bool after_cr_ = false;  // the last slice ended in CR: a leading LF is its pair
  bool failed_ = false;
  std::deque<SseEvent> ready_;
};

}  // namespace oxydra::provider
