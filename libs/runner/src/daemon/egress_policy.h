#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oxydra::runner {

// An IPv4 or IPv6 address as the egress proxy compares it (IPv4 in the first
// four bytes).
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  bool operator==(const IpAddress&) const = default;
};

std::optional<IpAddress> parse_ip(std::string_view text);
std::string to_string(const IpAddress& address);

// Every address of this host's interfaces (getifaddrs): what a guest must not
// reach, since services bound to them are the host's.
std::vector<IpAddress> host_addresses();

// Why a guest may not connect to address:port, or nullopt when it may. An
// entry of the operator's egress_allow ("ip:port") always may. Refused:
// loopback, unspecified, link-local (the cloud metadata address
// 169.254.169.254 among them), multicast and broadcast, IPv4-mapped forms of
// those, and every address in `host`.
std::optional<std::string> egress_refusal(const IpAddress& address, std::uint16_t port,
                                          const std::vector<std::string>& allowed,
                                          const std::vector<IpAddress>& host);

}  // namespace oxydra::runner
