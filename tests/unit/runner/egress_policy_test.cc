#include "daemon/egress_policy.h"

#include <gtest/gtest.h>

namespace oxydra::runner {
namespace {

std::optional<std::string> refusal(const char* ip, std::uint16_t port,
                                   const std::vector<std::string>& allowed = {},
                                   const std::vector<IpAddress>& host = {}) {
  auto address = parse_ip(ip);
  EXPECT_TRUE(address) << ip;
  return egress_refusal(*address, port, allowed, host);
}

TEST(EgressPolicy, RefusesEverythingOnTheHostAndMetadata) {
  for (const char* ip :
       {"127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "::", "169.254.169.254", "fe80::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "224.0.0.1", "255.255.255.255", "ff02::1"}) {
    EXPECT_TRUE(refusal(ip, 443)) << ip;
  }
  const std::vector<IpAddress> host = {*parse_ip("10.0.0.5"), *parse_ip("2001:db8::5")};
  EXPECT_EQ(refusal("10.0.0.5", 22, {}, host), "an address of the runner's host");
  EXPECT_TRUE(refusal("::ffff:10.0.0.5", 22, {}, host));
  EXPECT_TRUE(refusal("2001:db8::5", 22, {}, host));
}

TEST(EgressPolicy, AllowsTheInternetAndTheOperatorsExceptions) {
  EXPECT_FALSE(refusal("93.184.216.34", 443));
  EXPECT_FALSE(refusal("2606:2800:220:1::1", 443));
  const std::vector<std::string> allowed = {"127.0.0.1:11434", "[::1]:8000"};
  EXPECT_FALSE(refusal("127.0.0.1", 11434, allowed));
  EXPECT_FALSE(refusal("::ffff:127.0.0.1", 11434, allowed));
  EXPECT_FALSE(refusal("::1", 8000, allowed));
  EXPECT_TRUE(refusal("127.0.0.1", 11435, allowed));  // another port on the same address
  EXPECT_TRUE(refusal("127.0.0.2", 11434, allowed));
}

TEST(EgressPolicy, ParsesAndPrintsAddresses) {
  EXPECT_FALSE(parse_ip("localhost"));
  EXPECT_FALSE(parse_ip("1.2.3"));
  EXPECT_EQ(to_string(*parse_ip("[::1]")), "::1");
  EXPECT_EQ(to_string(*parse_ip("10.1.2.3")), "10.1.2.3");
  EXPECT_FALSE(host_addresses().empty());  // loopback at least
}

}  // namespace
}  // namespace oxydra::runner
