#include "oxydra/sys/base64.h"

#include <string>

#include <gtest/gtest.h>

namespace oxydra::sys {
namespace {

TEST(Base64, EncodesTheRfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  for (std::size_t cut = 0; cut < 4; ++cut) {
    const std::string in = all.substr(cut);
    const std::string encoded = base64_encode(in);
    EXPECT_EQ(encoded.size(), base64_size(in.size()));
    EXPECT_EQ(base64_decode(encoded), in);
  }
  EXPECT_EQ(base64_decode(base64_encode(std::string(100000, '\0'))), std::string(100000, '\0'));
}

TEST(Base64, RefusesWhatIsNotCanonicalPaddedBase64) {
  for (const char* bad :
       {"Zg", "Zg=", "Z===", "Zh==", "Zm9=", "Zm9v!A==", "Zg==Zg==", "====", "Zm 9v"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
}

}  // namespace
}  // namespace oxydra::sys
