#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "oxydra/sandbox/enforcement_probe.h"
#include "oxydra/sandbox/landlock.h"
#include "probe.h"
#include "syscall_cases.h"

namespace oxydra::harden_probe {

namespace {

using nlohmann::json;

// Runs `op` (returns -1 with errno on failure) and records whether the result
// is the expected one: success (expected_errno 0) or that exact errno.
class Recorder {
 public:
  void check(const std::string& name, int expected_errno, const std::function<long()>& op,
             const std::string& note = {}) {
    errno = 0;
    long rc = op();
    int err = rc < 0 ? errno : 0;
    json entry{{"name", name},
               {"expect", expected_errno == 0 ? "ok" : std::strerror(expected_errno)},
               {"expect_errno", expected_errno},
               {"result", err == 0 ? "ok" : std::strerror(err)},
               {"errno", err},
               {"pass", err == expected_errno}};
    if (!note.empty()) entry["note"] = note;
    probes_.push_back(std::move(entry));
  }
  void add(json entry) { probes_.push_back(std::move(entry)); }
  void skip(const std::string& name, const std::string& why) {
    probes_.push_back(json{{"name", name}, {"skipped", why}, {"pass", true}});
  }
  json take() { return std::move(probes_); }

 private:
  json probes_ = json::array();
};

long create_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  ::close(fd);
  ::unlink(path.c_str());
  return 0;
}

long read_file(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char byte;
  long n = ::read(fd, &byte, 1);
  ::close(fd);
  return n < 0 ? -1 : 0;
}

long connect_to(int family, const sockaddr* addr, socklen_t len) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  long rc = ::connect(fd, addr, len);
  int err = errno;
  ::close(fd);
  errno = err;
  return rc;
}

long connect_tcp(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return connect_to(AF_INET, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
}

long connect_abstract(const std::string& name) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  return connect_to(AF_UNIX, reinterpret_cast<sockaddr*>(&addr), len);
}

json self_measurement(pid_t parent) {
  auto m = sandbox::measure_process("/proc/self", "/proc/" + std::to_string(parent));
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  return json{{"no_new_privs", opt(m.status.no_new_privs)},
              {"seccomp_mode", opt(m.status.seccomp_mode)},
              {"seccomp_filters", opt(m.status.seccomp_filters)},
              {"cap_eff", m.status.cap_eff ? json(sandbox::capability_mask_hex(*m.status.cap_eff))
                                           : json(nullptr)},
              {"landlock_abi", sandbox::landlock_abi()},
              {"problems", m.problems}};
}

}  // namespace

int run_probes(const json& args) {
  const int abi = args.value("landlock_abi", 0);
  const pid_t parent = args.value("parent_pid", 0);
  const std::string shared = args.value("shared", ""), tmp = args.value("tmp", "");
  const std::string vault = args.value("vault", ""), outside = args.value("outside", "");
  const int landlock_fs = abi >= 1 ? EACCES : 0;
  const int landlock_net = abi >= 4 ? EACCES : 0;
  const int landlock_scope = abi >= 6 ? EPERM : 0;
  Recorder r;

  // Landlock, filesystem.
  r.check("write_shared", 0, [&] { return create_file(shared + "/probe-file"); });
  r.check("write_tmp", 0, [&] { return create_file(tmp + "/probe-file"); });
  r.check("write_vault", landlock_fs, [&] { return create_file(vault + "/probe-file"); });
  r.check("write_outside", landlock_fs, [&] { return create_file(outside + "/probe-file"); });
  r.check("write_usr", landlock_fs, [&] { return create_file("/usr/oxydra-probe-file"); });
  r.check("read_etc_hostname", 0, [] { return read_file("/etc/hostname"); });
  r.check("read_etc_shadow", landlock_fs, [] { return read_file("/etc/shadow"); });
  r.check("exec_bin_true", 0, [] {
    return in_child([] {
      ::execl("/bin/true", "true", nullptr);
      ::_exit(errno);
    });
  });

  // Landlock, network and scoping.
  r.check("tcp_connect_allowed", 0, [&] { return connect_tcp(args.value("allowed_port", 0)); });
  r.check("tcp_connect_denied", landlock_net,
          [&] { return connect_tcp(args.value("denied_port", 0)); });
  r.check("abstract_unix_connect", landlock_scope,
          [&] { return connect_abstract(args.value("abstract_socket", "")); });
  r.check("kill_parent", landlock_scope, [&] { return ::kill(parent, 0); });
  r.check("kill_init", landlock_scope, [] { return ::kill(1, 0); });

  // seccomp: refused with EPERM whatever the capabilities (the probe may be
  // root), judged against the kernel's own behaviour without the filter.
  const json baseline = args.value("baseline", json::object());
  for (auto& entry : filtered_syscall_probes(tmp, parent, baseline))
    r.add(std::move(entry));

  // Still allowed: plain fork, threads (glibc falls back from clone3 to clone).
  r.check("fork", 0, [] { return in_child([] {}); });
  r.check("thread", 0, [] {
    bool ran = false;
    std::thread([&] { ran = true; }).join();
    return ran ? 0L : -1L;
  });

  // rlimits: RLIMIT_DATA refuses a private writable mapping above the limit.
  const std::uint64_t mib = args.value("max_memory_mib", 0);
  if (mib == 0) {
    r.skip("memory_over_limit", "no max_memory_mib");
  } else {
    r.check("memory_over_limit", ENOMEM, [&] {
      std::size_t size = (mib + 64) << 20;
      void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED) return -1L;
      ::munmap(p, size);
      return 0L;
    });
  }

  json out{{"probes", r.take()}, {"self", self_measurement(parent)}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace oxydra::harden_probe
