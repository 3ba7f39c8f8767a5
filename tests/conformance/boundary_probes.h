#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "conformance_fixture.h"

namespace oxydra::conformance {

// Host-side probes of the trust-boundary properties (tiers.md 13, 14, 18)
// that need the host's view: they run python3 as the guest's host uid
// (setpriv), inside a guest's network namespace where needed (nsenter).

// "E1,E2": what the host's kernel answers without seccomp to
// personality(ADDR_NO_RANDOMIZE) and ioctl(/dev/null, TIOCSTI); 0 = works.
std::string syscall_baseline15();

// An abstract Unix socket listening in the host's network namespace.
class AbstractListener {
 public:
  explicit AbstractListener(std::string name);
  ~AbstractListener();
  AbstractListener(const AbstractListener&) = delete;
  AbstractListener& operator=(const AbstractListener&) = delete;
  const std::string& name() const { return name_; }
  bool ok() const { return fd_ >= 0; }

 private:
  std::string name_;
  int fd_ = -1;
};

// A TCP listener on 127.0.0.1 that answers "ok\n" to every connection
// (the stand-in for a local provider the operator allows).
class LoopbackService {
 public:
  LoopbackService();
  ~LoopbackService();
  LoopbackService(const LoopbackService&) = delete;
  LoopbackService& operator=(const LoopbackService&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  int stop_[2] = {-1, -1};
  pid_t server_ = -1;
};

struct NetworkTargets {
  int blocked_port = 0;  // a host listener on every address, not allowed
  int allowed_port = 0;  // LoopbackService's port, in policy.egress_allow
  std::vector<std::string> host_ips;
  std::string abstract_name;
  std::string proxy_socket;  // host path of the runner's egress proxy
};

// 14 from oxydra-vm's network namespace (pid `in_netns_of`), as `uid`:
// direct connections to the host and metadata fail; through the proxy, the
// host and metadata are refused and the allowed port answers.
std::vector<Row> probe_guest_network(pid_t in_netns_of, uid_t uid, const NetworkTargets& t);

// 13: connecting to the control socket as `uid` gets no health answer.
std::vector<Row> probe_control_socket_as(uid_t uid, const std::string& control_socket);

// 13: `path` and its directory are owned by root and not writable by others.
Row runner_owned(const std::string& path);

// 18: the process is not dumpable (its /proc entries belong to its user
// namespace's root, not to `guest_uid`) and its RLIMIT_CORE is 0/0.
std::vector<Row> probe_not_dumpable(pid_t pid, uid_t guest_uid, const std::string& what);

// The first process named `comm` among `root` and its descendants, or -1.
pid_t find_process(pid_t root, const std::string& comm);

}  // namespace oxydra::conformance
