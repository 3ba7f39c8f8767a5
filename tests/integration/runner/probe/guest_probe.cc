// oxydra-runner-guest-probe: a test-only stand-in for oxydra-vm, never part of
// a release binary. The runner's process tier starts it exactly as it starts
// oxydra-vm (hardened child, --bootstrap-fd), so from inside the guest it
// checks what the hardening allows and refuses, prints one line
// "PROBE-RESULT {json}" on stdout (the runner captures it into the runtime
// log), and then answers the gateway's `health` so the runner sees it ready.

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "oxydra/sys/io.h"

// LeakSanitizer stops the world with ptrace, which the seccomp filter refuses.
// NOLINTNEXTLINE(bugprone-reserved-identifier): LeakSanitizer's own hook name.
extern "C" int __lsan_is_turned_off() {
  return 1;
}

namespace {

using nlohmann::json;

bool read_exact(int fd, char* out, size_t n) {
  std::size_t got = 0;
  return !oxydra::sys::read_exact(fd, out, n, oxydra::sys::Clock::time_point::max(), got);
}

bool read_frame(int fd, std::string& payload) {
  unsigned char prefix[4];
  if (!read_exact(fd, reinterpret_cast<char*>(prefix), 4)) return false;
  const uint32_t length = (uint32_t{prefix[0]} << 24) | (uint32_t{prefix[1]} << 16) |
                          (uint32_t{prefix[2]} << 8) | uint32_t{prefix[3]};
  if (length == 0 || length > (8u << 20)) return false;
  payload.resize(length);
  return read_exact(fd, payload.data(), length);
}

void write_frame(int fd, const std::string& payload) {
  const uint32_t n = static_cast<uint32_t>(payload.size());
  std::string frame = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  frame += payload;
  [[maybe_unused]] ssize_t w = ::write(fd, frame.data(), frame.size());
}

// 0 when the file could be created, else the errno.
int try_create(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno;
  ::close(fd);
  ::unlink(path.c_str());
  return 0;
}

int errno_of(long rc) {
  return rc == 0 ? 0 : errno;
}

std::string status_field(const std::string& name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) {
      auto value = line.substr(name.size() + 1);
      return value.substr(value.find_first_not_of(" \t"));
    }
  }
  return "";
}

bool secret_in_environment(const json& credentials) {
  for (char** e = environ; *e; ++e) {
    for (const auto& [name, value] : credentials.items()) {
      if (value.is_string() && std::strstr(*e, value.get<std::string>().c_str())) return true;
    }
  }
  return false;
}

[[noreturn]] void serve_gateway(const std::string& path) {
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ::unlink(path.c_str());
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 8) != 0) {
    std::fprintf(stderr, "probe: cannot serve %s: %s\n", path.c_str(), std::strerror(errno));
    std::exit(1);
  }
  for (;;) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::string payload;
    while (read_frame(fd, payload)) {
      auto message = json::parse(payload, nullptr, false);
      if (message.is_discarded()) break;
      json reply_payload{{"request_id", message["payload"].value("request_id", "")},
                         {"provider", "probe"},
                         {"model", "probe"},
                         {"uptime_secs", 0}};
      write_frame(fd, json{{"op", message.value("op", "")}, {"payload", reply_payload}}.dump());
    }
    ::close(fd);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "--bootstrap-fd") != 0) {
    std::fprintf(stderr, "usage: oxydra-runner-guest-probe --bootstrap-fd N\n");
    return 2;
  }
  const int fd = std::atoi(argv[2]);
  std::string payload;
  if (!read_frame(fd, payload)) {
    std::fprintf(stderr, "probe: no bootstrap frame on fd %d\n", fd);
    return 2;
  }
  ::close(fd);
  const json envelope = json::parse(payload, nullptr, false);
  if (envelope.is_discarded()) return 2;
  const std::string root = envelope.value("workspace_root", "");
  const std::string shared = envelope["runtime_policy"]["mounts"].value("shared", "");
  const json credentials = envelope.value("credentials", json::object());

  json result{
      {"write_shared", try_create(shared + "/probe-ok")},
      {"write_user_root", try_create(root + "/probe-denied")},
      {"write_outside", try_create(root + "/../probe-outside")},
      {"write_tmp_dir", try_create("/tmp/oxydra-probe-" + std::to_string(::getpid()))},
      {"unshare_uts", errno_of(::unshare(CLONE_NEWUTS))},
      {"keyctl",
       errno_of(::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0))},
      {"no_new_privs", status_field("NoNewPrivs")},
      {"seccomp", status_field("Seccomp")},
      {"secret_in_env", secret_in_environment(credentials)},
      {"credential_names", json::array()},
  };
  for (const auto& [name, value] : credentials.items()) {
    result["credential_names"].push_back(name);
  }
  std::printf("PROBE-RESULT %s\n", result.dump().c_str());
  std::fflush(stdout);
  serve_gateway(envelope["gateway"].value("address", ""));
}
