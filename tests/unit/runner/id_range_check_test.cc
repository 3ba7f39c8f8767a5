#include "backends/container/id_range_check.h"

#include <gtest/gtest.h>

#include <fstream>

#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

struct Files {
  testlib::TempDir dir;
  IdSources sources;
  Files() {
    sources = {dir.file("subuid"), dir.file("subgid"), dir.file("passwd"), dir.file("group")};
    std::ofstream(sources.subuid) << "dockremap:100000:65536\nbroken line\n";
    std::ofstream(sources.subgid) << "dockremap:100000:65536\n";
    std::ofstream(sources.passwd)
        << "root:x:0:0::/root:/bin/sh\nsvc:x:400000:400000::/:/bin/false\n";
    std::ofstream(sources.group) << "root:x:0:\n";
  }
};

TEST(GuestIdRange, AFreeRangePasses) {
  Files f;
  EXPECT_TRUE(check_guest_id_range(262144, 65536, f.sources));
}

TEST(GuestIdRange, ADelegatedRangeOrAnExistingUserIsRefused) {
  Files f;
  auto delegated = check_guest_id_range(131072, 65536, f.sources);
  ASSERT_FALSE(delegated);
  EXPECT_EQ(delegated.error().code, ErrorCode::tier_unavailable);
  EXPECT_NE(delegated.error().message.find("delegates 100000-165535 to dockremap"),
            std::string::npos)
      << delegated.error().message;
  auto user = check_guest_id_range(393216, 65536, f.sources);
  ASSERT_FALSE(user);
  EXPECT_NE(user.error().message.find("user svc (400000)"), std::string::npos)
      << user.error().message;
}

}  // namespace
}  // namespace oxydra::runner
