#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace oxydra::runner {

// What a guest's init measured inside its VM and said in its hello on the
// link: "kernel=6.1.0-57-amd64 uid=123 no_new_privs=1 cap_eff=0000000000000000
// seccomp=2 root_ro=1 seccomp_policy=oxydra-allow-v2" (words of key=value; unknown keys ignored).
struct GuestHello {
  std::optional<std::string> kernel;
  std::optional<long> uid;
  std::optional<bool> no_new_privs;
  std::optional<std::string> cap_eff;         // 16 hex digits
  std::optional<int> seccomp;                 // /proc/self/status Seccomp:
  std::optional<std::string> seccomp_policy;  // the filter's name
  std::optional<bool> root_read_only;
};

GuestHello parse_guest_hello(const std::string& text);

}  // namespace oxydra::runner
