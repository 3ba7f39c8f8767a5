#include "oxydra/testlib/eventually.h"

#include <thread>

namespace oxydra::testlib {

bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds deadline,
                std::chrono::milliseconds interval) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(interval);
  }
  return true;
}

}  // namespace oxydra::testlib
