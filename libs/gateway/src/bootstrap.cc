#include "oxydra/gateway/bootstrap.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "fd_io.h"
#include "oxydra/sys/unix_connect.h"
#include "oxydra/types/frame.h"

namespace oxydra::gateway {

namespace {

constexpr std::string_view kWhat = "frame";

Error read_error(Error error) {
  const bool bad_frame =
      error.code == ErrorCode::frame_too_large || error.code == ErrorCode::invalid_frame;
  error.code = bad_frame ? ErrorCode::invalid_envelope : ErrorCode::bootstrap_failed;
  return error;
}

Result<BootstrapEnvelope> read_from(int fd, const BootstrapInput& input) {
  auto payload = read_one_frame(fd, kBootstrapMaxFrame, Clock::now() + input.timeout, kWhat);
  if (!payload) return tl::unexpected(read_error(payload.error()));
  return parse_bootstrap_payload(*payload);
}

}  // namespace

Result<BootstrapEnvelope> parse_bootstrap_payload(std::string& payload) {
  auto json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  ::explicit_bzero(payload.data(), payload.size());
  if (json.is_discarded()) return fail(ErrorCode::invalid_envelope, "envelope: not valid JSON");
  return parse_bootstrap_envelope(json);
}

Result<BootstrapEnvelope> read_bootstrap(const BootstrapInput& input) {
  switch (input.kind) {
    case BootstrapInput::Kind::fd: {
      if (input.fd < 0 || ::fcntl(input.fd, F_GETFD) < 0) {
        return fail(ErrorCode::bootstrap_failed,
                    "--bootstrap-fd " + std::to_string(input.fd) + ": not an open file descriptor");
      }
      sys::UniqueFd owned(input.fd);
      return read_from(owned.get(), input);
    }
    case BootstrapInput::Kind::unix_socket: {
      std::error_code error;
      sys::UniqueFd fd = sys::connect_unix(input.socket_path, Clock::now() + input.timeout,
                                           sys::FdMode::blocking, error);
      if (!fd) {
        const auto why = errno_error("connect " + input.socket_path, error.value()).message;
        return tl::unexpected(Error{ErrorCode::bootstrap_failed, "bootstrap socket: " + why});
      }
      return read_from(fd.get(), input);
    }
    case BootstrapInput::Kind::stdin_stream:
      return read_from(STDIN_FILENO, input);
  }
  return fail(ErrorCode::bootstrap_failed, "unknown bootstrap source");
}

}  // namespace oxydra::gateway
