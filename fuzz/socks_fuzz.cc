// The egress proxy's SOCKS5 parsers (guest bytes): no crash, no read past the
// input, and the incremental reading the proxy does never asks for more than
// the message announces.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/socks_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace oxydra::runner;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (std::size_t n = 0; n <= size; ++n) {
    const auto greeting = parse_socks_greeting(input.substr(0, n));
    if (greeting.status == SocksStatus::incomplete &&
        (greeting.needed == 0 || n + greeting.needed > 257))
      std::abort();
    const auto request = parse_socks_request(input.substr(0, n));
    if (request.status == SocksStatus::incomplete &&
        (request.needed == 0 || n + request.needed > 4 + 1 + 255 + 2))
      std::abort();
    if (request.status == SocksStatus::complete && request.host.empty()) std::abort();
    if (request.status != SocksStatus::incomplete) break;
  }
  return 0;
}
