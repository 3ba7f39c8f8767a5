#include "oxydra/testlib/mounts.h"

#include <fstream>
#include <sstream>

namespace oxydra::testlib {

std::vector<std::string> mounts_under(const std::string& dir) {
  std::vector<std::string> found;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    fields >> id >> parent >> device >> root >> point;
    if (point == dir || point.rfind(dir + "/", 0) == 0) found.push_back(point);
  }
  return found;
}

}  // namespace oxydra::testlib
