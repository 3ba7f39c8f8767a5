#include "daemon/socks_request.h"

#include <gtest/gtest.h>

namespace oxydra::runner {
namespace {

TEST(SocksRequest, GreetingSaysHowMuchIsMissingAndWhetherNoAuthIsOffered) {
  EXPECT_EQ(parse_socks_greeting("").needed, 2u);
  EXPECT_EQ(parse_socks_greeting(std::string("\x05\x03", 2)).needed, 3u);
  auto greeting = parse_socks_greeting(std::string("\x05\x02\x02\x00", 4));
  EXPECT_EQ(greeting.status, SocksStatus::complete);
  EXPECT_TRUE(greeting.no_auth);
  EXPECT_FALSE(parse_socks_greeting(std::string("\x05\x01\x02", 3)).no_auth);
  EXPECT_EQ(parse_socks_greeting(std::string("\x04\x01\x00", 3)).status, SocksStatus::invalid);
  EXPECT_EQ(parse_socks_greeting(std::string("\x05\x00", 2)).status, SocksStatus::invalid);
}

TEST(SocksRequest, EveryAddressTypeAndItsPort) {
  auto v4 = parse_socks_request(std::string("\x05\x01\x00\x01\x7f\x00\x00\x01\x01\xbb", 10));
  ASSERT_EQ(v4.status, SocksStatus::complete);
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 443);
  std::string v6("\x05\x01\x00\x04", 4);
  v6 += std::string(15, '\0') + "\x01" + std::string("\x00\x50", 2);
  auto six = parse_socks_request(v6);
  ASSERT_EQ(six.status, SocksStatus::complete);
  EXPECT_EQ(six.host, "::1");
  EXPECT_EQ(six.port, 80);
  auto name =
      parse_socks_request(std::string("\x05\x01\x00\x03\x0e"
                                      "api.openai.com\x01\xbb",
                                      21));
  ASSERT_EQ(name.status, SocksStatus::complete);
  EXPECT_EQ(name.host, "api.openai.com");
}

TEST(SocksRequest, NeverAsksForMoreThanTheMessageAnnounces) {
  const std::string full(
      "\x05\x01\x00\x03\x03"
      "abc\x00\x16",
      10);
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto partial = parse_socks_request(std::string_view(full).substr(0, n));
    ASSERT_EQ(partial.status, SocksStatus::incomplete) << n;
    EXPECT_LE(n + partial.needed, full.size()) << n;
    EXPECT_GT(partial.needed, 0u);
  }
}

TEST(SocksRequest, RefusesMalformedRequests) {
  auto type = parse_socks_request(std::string("\x05\x01\x00\x09", 4));
  EXPECT_EQ(type.status, SocksStatus::invalid);
  EXPECT_EQ(type.reply_if_invalid, 8);
  EXPECT_EQ(parse_socks_request(std::string("\x04\x01\x00\x01", 4)).status, SocksStatus::invalid);
  EXPECT_EQ(parse_socks_request(std::string("\x05\x01\x00\x03\x00", 5)).status,
            SocksStatus::invalid);  // empty name
  EXPECT_EQ(parse_socks_request(std::string("\x05\x01\x00\x03\x03"
                                            "a\0b\x00\x16",
                                            10))
                .status,
            SocksStatus::invalid);  // NUL in the name
}

}  // namespace
}  // namespace oxydra::runner
