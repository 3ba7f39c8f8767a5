#include "oxydra/sandbox/endpoint.h"

#include <sys/un.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

#include "oxydra/types/startup_status.h"

namespace oxydra::sandbox {

namespace {

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::optional<std::uint32_t> parse_u32(std::string_view text) {
  std::uint32_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

tl::unexpected<Error> invalid(const std::string& transport, const std::string& address,
                              std::string_view why) {
  return fail(ErrorCode::sidecar_endpoint_invalid,
              "sidecar endpoint " + transport + " \"" + address + "\": " + std::string(why));
}

Result<std::string> socket_path(const std::string& transport, std::string_view path,
                                const std::string& address) {
  if (is_blank(path)) return invalid(transport, address, "socket path is blank");
  if (path.find('\0') != std::string_view::npos) {
    return invalid(transport, address, "socket path contains a NUL byte");
  }
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return invalid(transport, address, "socket path is longer than the 107 bytes sun_path holds");
  }
  return std::string(path);
}

}  // namespace

std::string ParsedEndpoint::describe() const {
  const std::string name(to_string(transport));
  switch (transport) {
    case ChannelTransport::vsock:
      return name + ":" + std::to_string(cid) + ":" + std::to_string(port);
    case ChannelTransport::firecracker_vsock:
      return name + ":" + path + ":" + std::to_string(port);
    case ChannelTransport::unix_socket:
    case ChannelTransport::virtio_serial:
      break;
  }
  return name + ":" + path;
}

std::string ParsedEndpoint::object() const {
  if (transport == ChannelTransport::vsock) {
    return "vsock " + std::to_string(cid) + ":" + std::to_string(port);
  }
  return path;
}

Result<ParsedEndpoint> parse_endpoint(const SidecarEndpoint& endpoint) {
  const auto transport = parse_channel_transport(endpoint.transport);
  if (!transport) {
    return fail(ErrorCode::sidecar_transport_unsupported,
                "sidecar transport \"" + endpoint.transport +
                    "\" is not supported (unix, vsock, firecracker_vsock, virtio_serial)");
  }
  const std::string& address = endpoint.address;
  if (is_blank(address)) return invalid(endpoint.transport, address, "address is blank");

  ParsedEndpoint parsed;
  parsed.transport = *transport;
  switch (*transport) {
    case ChannelTransport::unix_socket:
    case ChannelTransport::virtio_serial: {
      auto path = socket_path(endpoint.transport, address, address);
      if (!path) return tl::unexpected(path.error());
      parsed.path = std::move(*path);
      return parsed;
    }
    case ChannelTransport::vsock: {
      const auto colon = address.find(':');
      const auto cid = colon == std::string::npos
                           ? std::nullopt
                           : parse_u32(std::string_view(address).substr(0, colon));
      const auto port = colon == std::string::npos
                            ? std::nullopt
                            : parse_u32(std::string_view(address).substr(colon + 1));
      if (!cid || !port) return invalid(endpoint.transport, address, "expected CID:PORT");
      parsed.cid = *cid;
      parsed.port = *port;
      return parsed;
    }
    case ChannelTransport::firecracker_vsock: {
      // The path may itself contain ':'; the port is after the last one.
      const auto colon = address.rfind(':');
      const auto port = colon == std::string::npos
                            ? std::nullopt
                            : parse_u32(std::string_view(address).substr(colon + 1));
      if (!port) return invalid(endpoint.transport, address, "expected PATH:PORT");
      auto path =
          socket_path(endpoint.transport, std::string_view(address).substr(0, colon), address);
      if (!path) return tl::unexpected(path.error());
      parsed.path = std::move(*path);
      parsed.port = *port;
      return parsed;
    }
  }
  return invalid(endpoint.transport, address, "unhandled transport");
}

Result<ParsedEndpoint> parse_endpoint(const ChannelEndpoint& endpoint) {
  return parse_endpoint(
      SidecarEndpoint{std::string(to_string(endpoint.transport)), endpoint.address});
}

}  // namespace oxydra::sandbox
