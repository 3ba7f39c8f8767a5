#include "oxydra/types/role.h"

#include <gtest/gtest.h>

namespace oxydra {
namespace {

TEST(Role, NamesRoundTrip) {
  for (Role role : {Role::system, Role::user, Role::assistant, Role::tool}) {
    EXPECT_EQ(parse_role(to_string(role)), role);
  }
  EXPECT_EQ(to_string(Role::assistant), "assistant");
}

TEST(Role, UnknownNamesAreRejected) {
  EXPECT_EQ(parse_role("Assistant"), std::nullopt);
  EXPECT_EQ(parse_role(""), std::nullopt);
}

}  // namespace
}  // namespace oxydra
