#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace oxydra::runner {

// The two messages a SOCKS5 client sends (RFC 1928), parsed from the bytes
// received so far. Guests write these: every length is checked, nothing is
// read past what the message announces, and `needed` says how many more
// bytes to read (so a reader never consumes what follows the message).

enum class SocksStatus { incomplete, invalid, complete };

// VER NMETHODS METHODS...
struct SocksGreeting {
  SocksStatus status = SocksStatus::incomplete;
  std::size_t needed = 0;  // more bytes, when incomplete
  bool no_auth = false;    // method 0 offered
};
SocksGreeting parse_socks_greeting(std::string_view bytes);

// VER CMD RSV ATYP DST.ADDR DST.PORT
enum class SocksAddress : std::uint8_t { ipv4 = 1, domain = 3, ipv6 = 4 };
struct SocksRequest {
  SocksStatus status = SocksStatus::incomplete;
  std::size_t needed = 0;
  std::uint8_t reply_if_invalid = 1;  // RFC 1928 REP for an invalid request (8: address type)
  std::uint8_t command = 0;           // 1 CONNECT, 2 BIND, 3 UDP ASSOCIATE
  SocksAddress address_type = SocksAddress::ipv4;
  std::string host;  // dotted quad, IPv6 text, or the domain name (1-255 bytes, no NUL)
  std::uint16_t port = 0;
};
SocksRequest parse_socks_request(std::string_view bytes);

}  // namespace oxydra::runner
