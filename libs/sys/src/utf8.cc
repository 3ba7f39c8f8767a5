#include "oxydra/sys/utf8.h"

#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace oxydra::sys {

namespace {

// The outcome of decoding one sequence at the front of a byte range.
struct Step {
  enum Kind { valid, invalid, incomplete } kind;
  std::size_t length;  // bytes of the valid sequence, or of the maximal invalid subpart
};

// Table 3-7 of the Unicode standard: the allowed range of the second byte
// depends on the lead byte; later bytes are always 80..BF.
Step decode(const unsigned char* p, std::size_t n) {
  const unsigned char b = p[0];
  if (b < 0x80) return {Step::valid, 1};
  std::size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return {Step::invalid, 1};
  }
  for (std::size_t i = 1; i < need; ++i) {
    if (i >= n) return {Step::incomplete, i};
    const unsigned char c = p[i];
    const bool ok = i == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
    if (!ok) return {Step::invalid, i};
  }
  return {Step::valid, need};
}

// Length of the longest prefix that is valid UTF-8 (stops before anything
// invalid or incomplete). Eight ASCII bytes at a time on the common path.
std::size_t valid_prefix(const unsigned char* p, std::size_t n) {
  std::size_t i = 0;
#ifdef __SSE2__
  // Streamed output is mostly ASCII: skip it 32 bytes at a time.
  while (i + 32 <= n) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16));
    if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0) break;
    i += 32;
  }
#endif
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    Step s = decode(p + i, n - i);
    if (s.kind != Step::valid) return i;
    i += s.length;
  }
  return n;
}

// Sanitizes `in`; when `hold_incomplete`, an incomplete sequence at the very
// end is not written and its length is returned.
std::size_t sanitize_into(std::string& out, std::string_view in, bool hold_incomplete) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n) {
    const std::size_t ok = valid_prefix(p + i, n - i);
    out.append(in.data() + i, ok);
    i += ok;
    if (i == n) break;
    Step s = decode(p + i, n - i);
    if (s.kind == Step::incomplete && hold_incomplete) return n - i;
    out.append(kReplacementChar);
    i += s.length;
  }
  return 0;
}

}  // namespace

void append_sanitized(std::string& out, std::string_view in) {
  sanitize_into(out, in, false);
}

std::string sanitize_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  append_sanitized(out, in);
  return out;
}

std::size_t incomplete_suffix(std::string_view in) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const unsigned char b = p[n - back];
    if ((b & 0xC0) != 0x80) {  // the last lead byte: does its sequence run past the end?
      Step s = decode(p + n - back, back);
      return s.kind == Step::incomplete ? back : 0;
    }
  }
  return 0;
}

std::size_t leading_continuations(std::string_view in) {
  std::size_t i = 0;
  while (i < 3 && i < in.size() && (static_cast<unsigned char>(in[i]) & 0xC0) == 0x80)
    ++i;
  return i;
}

std::size_t boundary_at_most(std::string_view in, std::size_t max_bytes) {
  if (max_bytes >= in.size()) return in.size();
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(in[n]) & 0xC0) == 0x80)
    --n;
  if (n > 0) return n;
  // Not even one character fits: send the first one whole so the reader progresses.
  n = 1;
  while (n < in.size() && (static_cast<unsigned char>(in[n]) & 0xC0) == 0x80)
    ++n;
  return n;
}

std::string_view Utf8Stream::feed(std::string_view chunk) {
  if (carry_.empty()) {
    // Common case: valid text is returned as a view of the input, without a copy.
    const auto* p = reinterpret_cast<const unsigned char*>(chunk.data());
    const std::size_t ok = valid_prefix(p, chunk.size());
    const std::size_t rest = chunk.size() - ok;
    if (rest == 0 || (rest <= 3 && incomplete_suffix(chunk) == rest)) {
      position_ += ok;
      carry_.assign(chunk.substr(ok));
      return chunk.substr(0, ok);
    }
  }
  std::string joined = carry_;
  joined.append(chunk);
  scratch_.clear();
  const std::size_t hold = sanitize_into(scratch_, joined, true);
  position_ += joined.size() - hold;
  carry_.assign(joined, joined.size() - hold, hold);
  return scratch_;
}

std::string_view Utf8Stream::finish() {
  scratch_.clear();
  if (carry_.empty()) return {};
  append_sanitized(scratch_, carry_);
  position_ += carry_.size();
  carry_.clear();
  return scratch_;
}

std::string escape_controls(std::string_view in) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto byte = static_cast<unsigned char>(in[i]);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else if (byte == 0xc2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(in[i + 1]) <= 0x9f) {
      const auto c1 = static_cast<unsigned char>(in[++i]);
      out += "\\u{";
      out += kHex[c1 >> 4];
      out += kHex[c1 & 0xf];
      out += '}';
    } else {
      out += static_cast<char>(byte);
    }
  }
  return out;
}

}  // namespace oxydra::sys
