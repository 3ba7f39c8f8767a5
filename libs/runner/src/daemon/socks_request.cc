#include "daemon/socks_request.h"

#include <arpa/inet.h>

namespace oxydra::runner {

namespace {

constexpr std::uint8_t kVersion = 5;

std::uint8_t byte_at(std::string_view bytes, std::size_t i) {
  return static_cast<std::uint8_t>(bytes[i]);
}

}  // namespace

SocksGreeting parse_socks_greeting(std::string_view bytes) {
  SocksGreeting out;
  if (bytes.size() < 2) {
    out.needed = 2 - bytes.size();
    return out;
  }
  if (byte_at(bytes, 0) != kVersion || byte_at(bytes, 1) == 0) {
    out.status = SocksStatus::invalid;
    return out;
  }
  const std::size_t total = 2 + byte_at(bytes, 1);
  if (bytes.size() < total) {
    out.needed = total - bytes.size();
    return out;
  }
  for (std::size_t i = 2; i < total; ++i) {
    if (byte_at(bytes, i) == 0) out.no_auth = true;
  }
  out.status = SocksStatus::complete;
  return out;
}

SocksRequest parse_socks_request(std::string_view bytes) {
  SocksRequest out;
  if (bytes.size() < 4) {
    out.needed = 4 - bytes.size();
    return out;
  }
  if (byte_at(bytes, 0) != kVersion) {
    out.status = SocksStatus::invalid;
    return out;
  }
  out.command = byte_at(bytes, 1);
  std::size_t address_length = 0;
  std::size_t address_at = 4;
  switch (byte_at(bytes, 3)) {
    case 1:
      out.address_type = SocksAddress::ipv4;
      address_length = 4;
      break;
    case 4:
      out.address_type = SocksAddress::ipv6;
      address_length = 16;
      break;
    case 3:
      out.address_type = SocksAddress::domain;
      if (bytes.size() < 5) {
        out.needed = 5 - bytes.size();
        return out;
      }
      address_length = byte_at(bytes, 4);
      address_at = 5;
      if (address_length == 0) {
        out.status = SocksStatus::invalid;
        return out;
      }
      break;
    default:
      out.status = SocksStatus::invalid;
      out.reply_if_invalid = 8;
      return out;
  }
  const std::size_t total = address_at + address_length + 2;
  if (bytes.size() < total) {
    out.needed = total - bytes.size();
    return out;
  }
  const std::string_view address = bytes.substr(address_at, address_length);
  if (out.address_type == SocksAddress::domain) {
    if (address.find('\0') != std::string_view::npos) {
      out.status = SocksStatus::invalid;
      return out;
    }
    out.host = std::string(address);
  } else {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(out.address_type == SocksAddress::ipv6 ? AF_INET6 : AF_INET, address.data(), text,
                sizeof text);
    out.host = text;
  }
  out.port = static_cast<std::uint16_t>(byte_at(bytes, total - 2) << 8 | byte_at(bytes, total - 1));
  out.status = SocksStatus::complete;
  return out;
}

}  // namespace oxydra::runner
