// Firecracker's host-initiated vsock connection: CONNECT <port>\n -> OK <n>\n.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <string_view>

#include "oxydra/sandbox/connect.h"
#include "oxydra/sys/io.h"
#include "oxydra/types/startup_status.h"
#include "socket_connect.h"

namespace oxydra::sandbox {

namespace {

// "OK 1073741824" is 13 bytes; anything much longer is not an answer.
constexpr std::size_t kMaxAckLine = 64;

std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

tl::unexpected<AttemptError> handshake_error(ErrorCode code, const std::string& what,
                                             const std::string& why) {
  return tl::unexpected(AttemptError{Error{code, "firecracker_vsock " + what + ": " + why}, true});
}

}  // namespace

std::string firecracker_connect_line(std::uint32_t port) {
  return "CONNECT " + std::to_string(port) + "\n";
}

Result<std::uint32_t> parse_firecracker_ack(std::string_view line) {
  constexpr std::string_view kPrefix = "OK ";
  auto garbage = [&] {
    return fail(ErrorCode::sidecar_protocol_error,
                "expected \"OK <port>\", got \"" + printable(line) + "\"");
  };
  if (line.substr(0, kPrefix.size()) != kPrefix) return garbage();
  const std::string_view number = line.substr(kPrefix.size());
  std::uint32_t port = 0;
  const char* end = number.data() + number.size();
  auto [ptr, ec] = std::from_chars(number.data(), end, port);
  if (number.empty() || ec != std::errc() || ptr != end) return garbage();
  return port;
}

Attempt firecracker_handshake(sys::UniqueFd fd, const std::string& path, std::uint32_t port,
                              Clock::time_point deadline) {
  const std::string what = path + ":" + std::to_string(port);
  const std::string request = firecracker_connect_line(port);
  std::size_t sent = 0;
  if (auto error = sys::write_all(fd.get(), request, deadline, sent)) {
    return handshake_error(ErrorCode::sidecar_connection_failed, what,
                           "send CONNECT: " + error.message());
  }
  // One byte at a time: whatever follows the '\n' is already the guest's stream.
  std::string line;
  while (line.size() <= kMaxAckLine) {
    char c = 0;
    const ssize_t n = ::recv(fd.get(), &c, 1, 0);
    if (n == 1) {
      if (c == '\n') break;
      line.push_back(c);
      continue;
    }
    if (n == 0) {
      return handshake_error(ErrorCode::sidecar_connection_failed, what,
                             "closed before answering OK (guest not listening yet?)");
    }
    std::error_code error(errno, std::system_category());
    if (errno == EAGAIN || errno == EINTR) {
      error = sys::wait_for(fd.get(), POLLIN, deadline);
      if (!error) continue;
      if (error == std::errc::timed_out) {
        return handshake_error(ErrorCode::sidecar_connection_failed, what, "no answer to CONNECT");
      }
    }
    return handshake_error(ErrorCode::sidecar_connection_failed, what,
                           "read answer: " + error.message());
  }
  if (line.size() > kMaxAckLine) {
    return handshake_error(ErrorCode::sidecar_protocol_error, what,
                           "answer longer than " + std::to_string(kMaxAckLine) + " bytes");
  }
  auto ack = parse_firecracker_ack(line);
  if (!ack) return handshake_error(ack.error().code, what, ack.error().message);
  return fd;
}

}  // namespace oxydra::sandbox
