#include "fake_http_wire.h"
#include "oxydra/sys/io.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace oxydra::testlib::wire {
namespace {

constexpr std::size_t kMaxHead = 1u << 20;
constexpr std::size_t kMaxBody = 64u << 20;

enum class Wait { ready, timeout, stopped };

// Waits for `fd` to become readable, for `timeout_ms` (-1: forever).
Wait wait_readable(int fd, int stop_fd, int timeout_ms) {
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    const int n = ::poll(fds, 2, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || fds[1].revents) return Wait::stopped;
    return n == 0 ? Wait::timeout : Wait::ready;
  }
}

// Sleeps `ms` unless the server stops first (false).
bool pause_unless_stopped(int stop_fd, int ms) {
  for (;;) {
    pollfd fd = {stop_fd, POLLIN, 0};
    const int n = ::poll(&fd, 1, ms);
    if (n < 0 && errno == EINTR) continue;
    return n == 0;
  }
}

bool read_more(int fd, int stop_fd, std::string& buffer) {
  if (wait_readable(fd, stop_fd, -1) != Wait::ready) return false;
  char chunk[16384];
  const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
  if (n <= 0) return false;
  buffer.append(chunk, static_cast<std::size_t>(n));
  return true;
}

bool send_all(int fd, std::string_view bytes) {
  return oxydra::sys::write_all(fd, bytes) == 0;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 529:
      return "Overloaded";
    default:
      return "Status";
  }
}

// Waits for the client to go away (or the server to stop), discarding input.
void hold_until_closed(int fd, int stop_fd) {
  char sink[4096];
  while (wait_readable(fd, stop_fd, -1) == Wait::ready)
    if (::recv(fd, sink, sizeof(sink), 0) <= 0) return;
}

}  // namespace

std::optional<RecordedRequest> read_request(int fd, int stop_fd, std::string& buffer) {
  std::size_t head_end;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (buffer.size() > kMaxHead || !read_more(fd, stop_fd, buffer)) return std::nullopt;
  }
  RecordedRequest request;
  request.received_at = std::chrono::steady_clock::now();
  std::string_view head(buffer.data(), head_end);
  const std::size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const std::size_t sp1 = request_line.find(' ');
  const std::size_t sp2 = request_line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return std::nullopt;
  request.method = std::string(request_line.substr(0, sp1));
  request.path = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));

  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!rest.empty()) {
    const std::size_t end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    request.headers[lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }

  const std::size_t length = std::strtoull(request.header("content-length").c_str(), nullptr, 10);
  if (length > kMaxBody) return std::nullopt;
  if (lower(request.header("expect")) == "100-continue" &&
      !send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n"))
    return std::nullopt;
  const std::size_t body_start = head_end + 4;
  while (buffer.size() < body_start + length)
    if (!read_more(fd, stop_fd, buffer)) return std::nullopt;
  request.body = buffer.substr(body_start, length);
  buffer.erase(0, body_start + length);
  return request;
}

bool write_response(int fd, int stop_fd, const ScriptedResponse& response) {
  using Framing = ScriptedResponse::Framing;
  std::string head =
      "HTTP/1.1 " + std::to_string(response.status) + " " + reason_phrase(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers)
    head += name + ": " + value + "\r\n";
  std::size_t total = 0;
  for (const std::string& chunk : response.chunks)
    total += chunk.size();
  switch (response.framing) {
    case Framing::chunked:
      head += "Transfer-Encoding: chunked\r\n";
      break;
    case Framing::content_length:
      head += "Content-Length: " + std::to_string(total) + "\r\n";
      break;
    case Framing::close:
      head += "Connection: close\r\n";
      break;
  }
  head += "\r\n";
  if (!send_all(fd, head)) return false;

  for (std::size_t i = 0; i < response.chunks.size(); ++i) {
    const std::string& chunk = response.chunks[i];
    if (i > 0 && response.chunk_delay.count() > 0) {
      // A client that left meanwhile shows up as a failed send.
      if (!pause_unless_stopped(stop_fd, static_cast<int>(response.chunk_delay.count())))
        return false;
    }
    if (chunk.empty()) continue;  // an empty HTTP chunk would end the body
    std::string framed;
    if (response.framing == Framing::chunked) {
      char size[32];
      std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
      framed = size + chunk + "\r\n";
    } else {
      framed = chunk;
    }
    if (!send_all(fd, framed)) return false;
  }
  if (response.stall) {
    hold_until_closed(fd, stop_fd);
    return false;
  }
  if (response.cut_off) return false;
  if (response.framing == Framing::chunked && !send_all(fd, "0\r\n\r\n")) return false;
  return response.framing != Framing::close;
}

}  // namespace oxydra::testlib::wire
