#include "backends/micro_vm/guest_hello.h"

#include <cctype>
#include <sstream>

namespace oxydra::runner {

namespace {

bool hex16(const std::string& text) {
  if (text.size() != 16) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

GuestHello parse_guest_hello(const std::string& text) {
  GuestHello hello;
  std::istringstream words(text);
  std::string word;
  while (words >> word) {
    const auto equals = word.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = word.substr(0, equals);
    const std::string value = word.substr(equals + 1);
    if (value.empty() || value.size() > 128) continue;
    try {
      if (key == "kernel") {
        hello.kernel = value;
      } else if (key == "uid") {
        hello.uid = std::stol(value);
      } else if (key == "no_new_privs") {
        hello.no_new_privs = value == "1";
      } else if (key == "cap_eff" && hex16(value)) {
        hello.cap_eff = value;
      } else if (key == "seccomp") {
        hello.seccomp = std::stoi(value);
      } else if (key == "seccomp_policy") {
        hello.seccomp_policy = value;
      } else if (key == "root_ro") {
        hello.root_read_only = value == "1";
      }
    } catch (const std::exception&) {
      continue;  // a number that is not one: that fact stays unknown
    }
  }
  return hello;
}

}  // namespace oxydra::runner
