#pragma once

#include <string>
#include <vector>

namespace oxydra::testlib {

// Mount points at or below `dir` (from /proc/self/mountinfo), in mount order.
std::vector<std::string> mounts_under(const std::string& dir);

}  // namespace oxydra::testlib
