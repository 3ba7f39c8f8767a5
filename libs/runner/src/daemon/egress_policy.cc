#include "daemon/egress_policy.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace oxydra::runner {

std::optional<IpAddress> parse_ip(std::string_view text) {
  std::string copy(text);
  if (copy.size() > 2 && copy.front() == '[' && copy.back() == ']')
    copy = copy.substr(1, copy.size() - 2);
  IpAddress out;
  if (::inet_pton(AF_INET, copy.c_str(), out.bytes.data()) == 1) return out;
  out.v6 = true;
  if (::inet_pton(AF_INET6, copy.c_str(), out.bytes.data()) == 1) return out;
  return std::nullopt;
}

std::string to_string(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), text, sizeof text);
  return text;
}

std::vector<IpAddress> host_addresses() {
  std::vector<IpAddress> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr) continue;
    IpAddress address;
    if (it->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
      std::memcpy(address.bytes.data(), &in->sin_addr, 4);
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      address.v6 = true;
      std::memcpy(address.bytes.data(), &in6->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(address);
  }
  ::freeifaddrs(list);
  return out;
}

namespace {

std::optional<std::string> v4_refusal(const std::uint8_t* b) {
  if (b[0] == 127) return "loopback";
  if (b[0] == 0) return "unspecified (\"this network\")";
  if (b[0] == 169 && b[1] == 254) return "link-local (cloud metadata lives here)";
  if (b[0] >= 224 && b[0] <= 239) return "multicast";
  if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return "broadcast";
  return std::nullopt;
}

std::optional<std::string> address_refusal(const IpAddress& a) {
  if (!a.v6) return v4_refusal(a.bytes.data());
  const auto& b = a.bytes;
  const bool zero_prefix = std::all_of(b.begin(), b.begin() + 10, [](auto x) { return x == 0; });
  if (zero_prefix && b[10] == 0xff && b[11] == 0xff) return v4_refusal(b.data() + 12);
  const bool all_zero = std::all_of(b.begin(), b.end() - 1, [](auto x) { return x == 0; });
  if (all_zero && b[15] == 1) return "loopback";
  if (all_zero && b[15] == 0) return "unspecified";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";
  if (b[0] == 0xff) return "multicast";
  return std::nullopt;
}

// The same address as IPv4 when it is an IPv4-mapped IPv6 one.
IpAddress unmapped(const IpAddress& a) {
  if (!a.v6) return a;
  const bool mapped =
      std::all_of(a.bytes.begin(), a.bytes.begin() + 10, [](auto x) { return x == 0; }) &&
      a.bytes[10] == 0xff && a.bytes[11] == 0xff;
  if (!mapped) return a;
  IpAddress v4;
  std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
  return v4;
}

bool allowed_entry(const std::string& entry, const IpAddress& address, std::uint16_t port) {
  const auto colon = entry.rfind(':');
  if (colon == std::string::npos) return false;
  if (entry.substr(colon + 1) != std::to_string(port)) return false;
  const auto parsed = parse_ip(std::string_view(entry).substr(0, colon));
  return parsed && unmapped(*parsed) == unmapped(address);
}

}  // namespace

std::optional<std::string> egress_refusal(const IpAddress& address, std::uint16_t port,
                                          const std::vector<std::string>& allowed,
                                          const std::vector<IpAddress>& host) {
  for (const auto& entry : allowed) {
    if (allowed_entry(entry, address, port)) return std::nullopt;
  }
  if (auto why = address_refusal(address)) return *why + " address";
  const IpAddress plain = unmapped(address);
  for (const auto& own : host) {
    if (unmapped(own) == plain) return std::string("an address of the runner's host");
  }
  if (port == 0) return std::string("port 0");
  return std::nullopt;
}

}  // namespace oxydra::runner
