#include "daemon/timestamps.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <optional>

namespace oxydra::runner {

namespace {

using std::chrono::system_clock;

tl::unexpected<Error> bad_since(std::string_view text) {
  return fail(ErrorCode::invalid_request,
              "since: \"" + std::string(text) +
                  "\" is neither an RFC 3339 time (2025-01-31T09:15:02Z) nor "
                  "a duration (30s, 10m, 2h, 1d)");
}

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + count, out);
  return ec == std::errc() && end == text.data() + pos + count;
}

std::optional<system_clock::time_point> parse_duration(std::string_view text,
                                                       system_clock::time_point now) {
  if (text.size() < 2) return std::nullopt;
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, value);
  if (ec != std::errc() || end != text.data() + text.size() - 1 || value < 0) return std::nullopt;
  const long long unit = text.back() == 's'   ? 1
                         : text.back() == 'm' ? 60
                         : text.back() == 'h' ? 3600
                         : text.back() == 'd' ? 86400
                                              : 0;
  if (unit == 0 || value > 100LL * 365 * 86400 / unit) return std::nullopt;
  return now - std::chrono::seconds(value * unit);
}

std::optional<system_clock::time_point> parse_rfc3339(std::string_view t) {
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (!digits(t, 0, 4, year) || t.size() < 20 || t[4] != '-' || !digits(t, 5, 2, month) ||
      t[7] != '-' || !digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      !digits(t, 11, 2, hour) || t[13] != ':' || !digits(t, 14, 2, minute) || t[16] != ':' ||
      !digits(t, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  long long micros = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    int scale = 100000;
    std::size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (scale > 0) micros += static_cast<long long>(t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  long long offset = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh, om;
    if (!digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' ||
        !digits(t, pos + 4, 2, om)) {
      return std::nullopt;
    }
    offset = (oh * 3600LL + om * 60LL) * (t[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const long long epoch = static_cast<long long>(::timegm(&tm)) - offset;
  return system_clock::time_point(std::chrono::seconds(epoch) + std::chrono::microseconds(micros));
}

}  // namespace

std::string format_timestamp(system_clock::time_point time) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  const auto seconds = static_cast<std::time_t>(micros / 1000000);
  const auto fraction = static_cast<unsigned>(micros % 1000000 + (micros < 0 ? 1000000 : 0));
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%06uZ", date, fraction % 1000000);
  return out;
}

Result<std::string> normalize_since(std::string_view text, system_clock::time_point now) {
  auto time = parse_duration(text, now);
  if (!time) time = parse_rfc3339(text);
  if (!time) return bad_since(text);
  return format_timestamp(*time);
}

}  // namespace oxydra::runner
