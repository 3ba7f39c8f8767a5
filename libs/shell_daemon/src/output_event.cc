#include "output_event.h"

#include <array>
#include <charconv>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "oxydra/sys/base64.h"
#include "oxydra/types/frame.h"

namespace oxydra::shell_daemon {

namespace {

// How each byte appears inside a JSON string: itself, a two-byte escape
// (\n, \", ...) or \u00XX. Stored padded to eight bytes so the hot loop
// copies a fixed size (one store) and advances by the real length.
struct Escape {
  char text[8];
  std::uint8_t length;
};

constexpr std::array<Escape, 256> make_escapes() {
  std::array<Escape, 256> table{};
  constexpr char kHex[] = "0123456789abcdef";
  for (int c = 0; c < 256; ++c) {
    Escape& e = table[c];
    if (c >= 0x20 && c != '"' && c != '\\') {
      e.text[0] = static_cast<char>(c);
      e.length = 1;
      continue;
    }
    e.text[0] = '\\';
    e.length = 2;
    switch (c) {
      case '\b':
        e.text[1] = 'b';
        break;
      case '\f':
        e.text[1] = 'f';
        break;
      case '\n':
        e.text[1] = 'n';
        break;
      case '\r':
        e.text[1] = 'r';
        break;
      case '\t':
        e.text[1] = 't';
        break;
      case '"':
        e.text[1] = '"';
        break;
      case '\\':
        e.text[1] = '\\';
        break;
      default:
        e.text[1] = 'u';
        e.text[2] = '0';
        e.text[3] = '0';
        e.text[4] = kHex[c >> 4];
        e.text[5] = kHex[c & 0xf];
        e.length = 6;
    }
  }
  return table;
}
constexpr auto kEscapes = make_escapes();

// True when none of the eight bytes in `word` needs escaping: no control
// character (< 0x20), quote or backslash. Word-at-a-time tests from "Bit
// Twiddling Hacks" (exact as a yes/no over the whole word).
constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighs = 0x8080808080808080ull;

inline bool has_zero_byte(std::uint64_t v) {
  return ((v - kOnes) & ~v & kHighs) != 0;
}

inline bool clean_word(std::uint64_t v) {
  const bool control = ((v - kOnes * 0x20) & ~v & kHighs) != 0;
  return !control && !has_zero_byte(v ^ (kOnes * '"')) && !has_zero_byte(v ^ (kOnes * '\\'));
}

inline bool clean_word(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return clean_word(v);
}

// Runs of NUL are the common case of binary output (padding, /dev/zero) and
// the costliest to escape byte by byte.
constexpr std::string_view kEscapedZeros =
    R"(\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000)";
constexpr std::size_t kZeroBlock = 16;
static_assert(kEscapedZeros.size() == 6 * kZeroBlock);

// Escapes up to `n` bytes one at a time: every table entry is stored whole
// (eight bytes) and the cursor advances by its real length, without a branch.
inline char* escape_bytes(char* w, const unsigned char*& p, std::size_t n) {
  for (const unsigned char* stop = p + n; p < stop; ++p) {
    std::memcpy(w, kEscapes[*p].text, 8);
    w += kEscapes[*p].length;
  }
  return w;
}

// Writes the escaped text at `w`, which has room for 6 * text.size() + 8
// (the largest escaped size, plus the slack escape_bytes stores into). One
// pass: clean blocks are copied as they are found.
char* write_escaped(char* w, std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  const __m128i zero = _mm_setzero_si128();
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, last_control), last_control);
    const __m128i special =
        _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    const int mask = _mm_movemask_epi8(special);
    if (mask == 0) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v);
      w += 16;
      p += 16;
    } else if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) == 0xffff) {
      std::memcpy(w, kEscapedZeros.data(), kEscapedZeros.size());
      w += kEscapedZeros.size();
      p += 16;
    } else {
      // Copy the clean bytes before the first special one, then escape up to
      // the end of the block.
      const int clean = __builtin_ctz(static_cast<unsigned>(mask));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v);
      w += clean;
      p += clean;
      w = escape_bytes(w, p, static_cast<std::size_t>(16 - clean));
    }
  }
#else
  while (end - p >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    if (clean_word(v)) {
      std::memcpy(w, &v, 8);
      w += 8;
      p += 8;
    } else if (v == 0) {
      std::memcpy(w, kEscapedZeros.data(), 48);
      w += 48;
      p += 8;
    } else {
      w = escape_bytes(w, p, 8);
    }
  }
#endif
  return escape_bytes(w, p, static_cast<std::size_t>(end - p));
}

}  // namespace

std::size_t json_escaped_size(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  std::size_t n = 0;
  while (end - p >= 8) {
    if (clean_word(p)) {
      n += 8;
    } else {
      for (int i = 0; i < 8; ++i)
        n += kEscapes[p[i]].length;
    }
    p += 8;
  }
  for (; p < end; ++p)
    n += kEscapes[*p].length;
  return n;
}

void append_json_escaped(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  out.resize(start + 6 * text.size() + 8);
  char* end = write_escaped(out.data() + start, text);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

void append_output_event(ByteBuffer& out, std::string_view request_id_json, StreamKind stream,
                         std::string_view data, std::uint64_t offset, bool base64) {
  constexpr std::string_view kOp = R"({"op":"output","payload":{"request_id":)";
  constexpr std::string_view kStream = R"(,"stream":")";
  constexpr std::string_view kOffset = R"(","offset":)";
  constexpr std::string_view kData = R"(,"data":")";
  constexpr std::string_view kBase64Data = R"(,"encoding":"base64","data":")";
  constexpr std::string_view kTail = "\"}}";
  const std::string_view name = stream_name(stream);
  char number[24];
  const auto digits = std::to_chars(number, number + sizeof number, offset);
  const std::string_view offset_text(number, static_cast<std::size_t>(digits.ptr - number));

  const std::size_t most =
      kFramePrefixBytes + kOp.size() + request_id_json.size() + kStream.size() + name.size() +
      kOffset.size() + offset_text.size() + kBase64Data.size() +
      (base64 ? sys::base64_size(data.size()) : 6 * data.size() + 8) + kTail.size();
  char* const start = out.reserve_tail(most);
  char* w = start + kFramePrefixBytes;
  auto put = [&w](std::string_view s) {
    std::memcpy(w, s.data(), s.size());
    w += s.size();
  };
  put(kOp);
  put(request_id_json);
  put(kStream);
  put(name);
  put(kOffset);
  put(offset_text);
  if (base64) {
    put(kBase64Data);
    w = sys::base64_encode(data, w);
  } else {
    put(kData);
    w = write_escaped(w, data);
  }
  put(kTail);
  const std::size_t size = static_cast<std::size_t>(w - start);
  const auto n = static_cast<std::uint32_t>(size - kFramePrefixBytes);
  start[0] = static_cast<char>(n >> 24);
  start[1] = static_cast<char>(n >> 16);
  start[2] = static_cast<char>(n >> 8);
  start[3] = static_cast<char>(n);
  out.commit(size);
}

OutFrame encode_output_event(std::string_view request_id_json, StreamKind stream,
                             std::string_view data, std::uint64_t offset, bool base64) {
  ByteBuffer out;
  append_output_event(out, request_id_json, stream, data, offset, base64);
  return OutFrame(std::string(out.data(), out.size()));
}

}  // namespace oxydra::shell_daemon
