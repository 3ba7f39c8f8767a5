#include "output_event.h"

#include <array>
#include <cstring>

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

inline bool clean_word(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  const bool control = ((v - kOnes * 0x20) & ~v & kHighs) != 0;
  return !control && !has_zero_byte(v ^ (kOnes * '"')) && !has_zero_byte(v ^ (kOnes * '\\'));
}

// Writes the escaped text at `w`, which has room for its escaped size plus 8.
char* write_escaped(char* w, std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char* run = p;
    while (end - run >= 8 && clean_word(run))
      run += 8;
    while (run < end && kEscapes[*run].length == 1)
      ++run;
    std::memcpy(w, p, static_cast<std::size_t>(run - p));
    w += run - p;
    for (p = run; p < end && kEscapes[*p].length != 1; ++p) {
      std::memcpy(w, kEscapes[*p].text, 8);
      w += kEscapes[*p].length;
    }
  }
  return w;
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
  const std::size_t size = json_escaped_size(text);
  out.resize(start + size + 8);
  write_escaped(out.data() + start, text);
  out.resize(start + size);
}

OutFrame encode_output_event(std::string_view request_id_json, StreamKind stream,
                             std::string_view data, std::uint64_t offset) {
  std::string head(kFramePrefixBytes, '\0');
  head.append(R"({"op":"output","payload":{"request_id":)");
  head.append(request_id_json);
  head.append(R"(,"stream":")");
  head.append(stream_name(stream));
  head.append(R"(","offset":)");
  head.append(std::to_string(offset));
  head.append(R"(,"data":")");
  constexpr std::string_view kTail = "\"}}";
  const std::size_t size = head.size() + json_escaped_size(data) + kTail.size();
  auto bytes = std::make_unique_for_overwrite<char[]>(size + 8);
  std::memcpy(bytes.get(), head.data(), head.size());
  char* w = write_escaped(bytes.get() + head.size(), data);
  std::memcpy(w, kTail.data(), kTail.size());
  const auto n = static_cast<std::uint32_t>(size - kFramePrefixBytes);
  bytes[0] = static_cast<char>(n >> 24);
  bytes[1] = static_cast<char>(n >> 16);
  bytes[2] = static_cast<char>(n >> 8);
  bytes[3] = static_cast<char>(n);
  return OutFrame(std::move(bytes), size);
}

}  // namespace oxydra::shell_daemon
