#include "oxydra/testlib/must_work.h"

#include <cstdlib>
#include <string_view>

namespace oxydra::testlib {

bool must_work() {
  const char* value = std::getenv("OXYDRA_MUST_WORK");
  return value != nullptr && std::string_view(value) == "1";
}

}  // namespace oxydra::testlib
