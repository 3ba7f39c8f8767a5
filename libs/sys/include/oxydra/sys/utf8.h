#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace oxydra::sys {

inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// Appends `in` to `out`, replacing each maximal invalid subpart (Unicode §3.9,
// as most decoders do) with U+FFFD. An incomplete sequence at the end is invalid.
void append_sanitized(std::string& out, std::string_view in);
std::string sanitize_utf8(std::string_view in);

// Valid UTF-8 `in` made safe to print on a terminal: C0 controls except TAB,
// DEL and the C1 controls U+0080..U+009F (ESC, CSI, OSC: what moves a cursor,
// retitles a window or injects input) become visible "\xNN" / "\u{NN}"
// escapes; everything else is kept.
std::string escape_controls(std::string_view in);

// Bytes at the end of `in` that start a valid sequence but do not finish it (0-3).
std::size_t incomplete_suffix(std::string_view in);
// Continuation bytes at the start of `in` (0-3): where a cut fell inside a character.
std::size_t leading_continuations(std::string_view in);
// The largest n <= max_bytes such that in[0, n) ends on a character boundary of
// valid UTF-8 `in`; at least one whole character when max_bytes is smaller.
std::size_t boundary_at_most(std::string_view in, std::size_t max_bytes);

// Sanitizes a byte stream that arrives in chunks: a sequence split between two
// chunks is held back and completed by the next one, never replaced.
class Utf8Stream {
 public:
  // The sanitized text for everything fed so far except a held-back incomplete
  // sequence. The view stays valid until the next call.
  std::string_view feed(std::string_view chunk);
  // End of stream: a held-back sequence was truly incomplete.
  std::string_view finish();
  // Raw bytes already represented in returned text: the stream offset of the
  // next returned text.
  std::uint64_t position() const { return position_; }

 private:
  std::string carry_;
  std::string scratch_;
  std::uint64_t position_ = 0;
};

}  // namespace oxydra::sys
