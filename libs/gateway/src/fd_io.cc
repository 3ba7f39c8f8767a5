#include "fd_io.h"

#include "oxydra/types/frame.h"

namespace oxydra::gateway {

namespace {

// Reads exactly `size` bytes; "truncated" (no message) when the stream ends first.
Result<void> read_exact(int fd, char* out, std::size_t size, Clock::time_point deadline,
                        std::string_view what, std::size_t& got) {
  const std::error_code error = sys::read_exact(fd, out, size, deadline, got);
  if (!error) return {};
  if (error == std::errc::no_message_available) return fail(ErrorCode::truncated, "");
  if (error == std::errc::timed_out)
    return fail(ErrorCode::timeout, std::string(what) + ": timed out");
  return tl::unexpected(errno_error(std::string(what) + ": read", error.value()));
}

}  // namespace

Result<std::string> read_one_frame(int fd, std::size_t max_frame_bytes, Clock::time_point deadline,
                                   std::string_view what) {
  unsigned char prefix[kFramePrefixBytes];
  std::size_t got = 0;
  auto read = read_exact(fd, reinterpret_cast<char*>(prefix), sizeof(prefix), deadline, what, got);
  if (!read && read.error().code == ErrorCode::truncated) {
    return fail(ErrorCode::truncated, std::string(what) + ": stream ended after " +
                                          std::to_string(got) + " of 4 length-prefix bytes");
  }
  if (!read) return tl::unexpected(read.error());
  const std::uint32_t length = (std::uint32_t{prefix[0]} << 24) | (std::uint32_t{prefix[1]} << 16) |
                               (std::uint32_t{prefix[2]} << 8) | std::uint32_t{prefix[3]};
  if (length == 0)
    return fail(ErrorCode::invalid_frame, std::string(what) + " is empty (zero length)");
  if (length > max_frame_bytes) {
    return fail(ErrorCode::frame_too_large, std::string(what) + " of " + std::to_string(length) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(max_frame_bytes));
  }
  std::string payload(length, '\0');
  read = read_exact(fd, payload.data(), length, deadline, what, got);
  if (!read && read.error().code == ErrorCode::truncated) {
    return fail(ErrorCode::truncated, std::string(what) + ": stream ended after " +
                                          std::to_string(got) + " of " + std::to_string(length) +
                                          " bytes");
  }
  if (!read) return tl::unexpected(read.error());
  return payload;
}

}  // namespace oxydra::gateway
