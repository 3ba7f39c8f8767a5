#include "boundary_probes.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "oxydra/testlib/proc_scan.h"

namespace oxydra::conformance {

namespace {

// The system's python3: another uid cannot use a per-user install (pyenv).
std::string python() {
  return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : find_program("python3");
}

// Runs a python3 snippet as `uid` (and, when `netns_pid` > 0, in that
// process's network namespace); its stdout.
CommandResult run_python_as(uid_t uid, pid_t netns_pid, const std::string& code,
                            const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (netns_pid > 0) {
    argv = {find_program("nsenter"), "--net=/proc/" + std::to_string(netns_pid) + "/ns/net", "--"};
  }
  const std::string id = std::to_string(uid);
  argv.insert(argv.end(), {find_program("setpriv"), "--reuid=" + id, "--regid=" + id,
                           "--clear-groups", "--", python(), "-c", code});
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {}, 120s);
}

constexpr const char* kNetworkProbe = R"PY(
import socket, struct, sys
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
blocked, allowed = int(args["blocked"]), int(args["allowed"])
ips = [ip for ip in args.get("ips", "").split(",") if ip]
direct = [("127.0.0.1", blocked), ("169.254.169.254", 80)] + [(ip, blocked) for ip in ips]
for host, port in direct:
    s = socket.socket(); s.settimeout(3)
    try:
        s.connect((host, port)); print("14\tfail\toxydra-vm netns: connected to %s:%d" % (host, port))
    except OSError as e:
        print("14\tpass\toxydra-vm netns: connect to %s:%d refused: %s" % (host, port, e.strerror or e))
    s.close()
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("\0" + args["abstract"]); print("14\tfail\toxydra-vm netns: reached host abstract socket")
except OSError as e:
    print("14\tpass\toxydra-vm netns: host abstract socket @%s unreachable: %s" % (args["abstract"], e.strerror or e))
s.close()
def socks(host, port):
    s = socket.socket(socket.AF_UNIX); s.settimeout(10)
    s.connect(args["proxy"])
    s.sendall(b"\x05\x01\x00")
    if s.recv(2) != b"\x05\x00": return None, s
    s.sendall(b"\x05\x01\x00\x01" + socket.inet_aton(host) + struct.pack(">H", port))
    reply = s.recv(10)
    return (reply[1] if len(reply) >= 2 else None), s
for host, port in [("127.0.0.1", blocked), ("169.254.169.254", 80)] + [(ip, blocked) for ip in ips]:
    code, s = socks(host, port); s.close()
    verdict = "pass" if code == 2 else "fail"
    print("14\t%s\tegress proxy: CONNECT %s:%d answered %s (2 = not allowed by policy)" % (verdict, host, port, code))
code, s = socks("127.0.0.1", allowed)
data = s.recv(16) if code == 0 else b""
s.close()
print("14\t%s\tegress proxy: CONNECT to the operator-allowed 127.0.0.1:%d answered %s, read %r" %
      ("pass" if code == 0 and data == b"ok\n" else "fail", allowed, code, data))
)PY";

constexpr const char* kControlProbe = R"PY(
import json, socket, struct, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX); s.settimeout(10)
try:
    s.connect(path)
except OSError as e:
    print("13\tpass\tcontrol socket as the guest uid: connect refused: %s" % (e.strerror or e)); sys.exit(0)
body = json.dumps({"op": "health_check", "payload": {"request_id": "probe"}}).encode()
try:
    s.sendall(struct.pack(">I", len(body)) + body)
except OSError:
    pass  # refused and closed before the request was written
got = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk: break
        got += chunk
except OSError:
    pass
if b"health_status" in got:
    print("13\tfail\tcontrol socket answered health_status to the guest uid")
else:
    print("13\tpass\tcontrol socket refused the guest uid: %r" % got[4:120])
)PY";

}  // namespace

std::string syscall_baseline15() {
  auto result = run_command(
      {python(), "-c",
       "import ctypes, os\n"
       "libc = ctypes.CDLL(None, use_errno=True); libc.syscall.restype = ctypes.c_long\n"
       "def call(nr, *a):\n"
       "    ctypes.set_errno(0); r = libc.syscall(nr, *a); return 0 if r != -1 else "
       "ctypes.get_errno()\n"
       "p = call(135, 0x0040000); call(135, 0)\n"
       "t = call(16, os.open('/dev/null', os.O_RDONLY), 0x5412, b'x')\n"
       "print('%d,%d' % (p, t))\n"},
      {}, 30s);
  std::string out = result.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return result.exit_code == 0 ? out : "";
}

AbstractListener::AbstractListener(std::string name) : name_(std::move(name)) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path + 1, name_.data(), name_.size());
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name_.size());
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd_, 4) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

AbstractListener::~AbstractListener() {
  if (fd_ >= 0) ::close(fd_);
}

LoopbackService::LoopbackService() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd_, 16) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::pipe2(stop_, O_CLOEXEC) != 0) {
    return;
  }
  port_ = ntohs(address.sin_port);
  server_ = ::fork();
  if (server_ == 0) {
    ::close(stop_[1]);  // else the child itself keeps the stop pipe open
    for (;;) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 || fds[1].revents != 0) ::_exit(0);
      const int peer = ::accept(fd_, nullptr, nullptr);
      if (peer >= 0) {
        (void)!::write(peer, "ok\n", 3);
        ::close(peer);
      }
    }
  }
}

LoopbackService::~LoopbackService() {
  if (server_ > 0) {
    ::close(stop_[1]);
    ::waitpid(server_, nullptr, 0);
  }
  if (stop_[0] >= 0) ::close(stop_[0]);
  if (fd_ >= 0) ::close(fd_);
}

std::vector<Row> probe_guest_network(pid_t in_netns_of, uid_t uid, const NetworkTargets& t) {
  if (python().empty() || find_program("nsenter").empty() || find_program("setpriv").empty())
    return {{14, "n/a", "host: python3, nsenter or setpriv missing"}};
  std::string ips;
  for (const auto& ip : t.host_ips)
    ips += (ips.empty() ? "" : ",") + ip;
  auto result = run_python_as(
      uid, in_netns_of, kNetworkProbe,
      {"blocked=" + std::to_string(t.blocked_port), "allowed=" + std::to_string(t.allowed_port),
       "ips=" + ips, "abstract=" + t.abstract_name, "proxy=" + t.proxy_socket});
  auto rows = parse_rows(result.out);
  if (result.exit_code != 0 || rows.empty())
    rows.push_back({14, "fail", "host: network probe failed: " + result.err});
  return rows;
}

std::vector<Row> probe_control_socket_as(uid_t uid, const std::string& control_socket) {
  if (python().empty() || find_program("setpriv").empty())
    return {{13, "n/a", "host: python3 or setpriv missing"}};
  auto result = run_python_as(uid, 0, kControlProbe, {control_socket});
  auto rows = parse_rows(result.out);
  if (result.exit_code != 0 || rows.empty())
    rows.push_back({13, "fail", "host: control probe failed: " + result.err});
  return rows;
}

Row runner_owned(const std::string& path) {
  struct stat st {};
  struct stat dir {};
  const std::string parent = path.substr(0, path.rfind('/'));
  if (::lstat(path.c_str(), &st) != 0 || ::lstat(parent.c_str(), &dir) != 0)
    return {13, "fail", "host: " + path + " or its directory is missing"};
  const bool ok =
      st.st_uid == 0 && dir.st_uid == 0 && (dir.st_mode & 0022) == 0 && !S_ISLNK(st.st_mode);
  std::ostringstream detail;
  detail << "host: " << path << " owner " << st.st_uid << ", directory owner " << dir.st_uid
         << " mode " << std::oct << (dir.st_mode & 07777);
  return {13, ok ? "pass" : "fail", detail.str()};
}

std::vector<Row> probe_not_dumpable(pid_t pid, uid_t guest_uid, const std::string& what) {
  std::vector<Row> rows;
  struct stat st {};
  const std::string proc = "/proc/" + std::to_string(pid);
  if (pid <= 0 || ::stat((proc + "/environ").c_str(), &st) != 0)
    return {{18, "n/a", "host: no " + what + " process found"}};
  // A non-dumpable process's /proc/<pid>/* files belong to root (of its user
  // namespace), not to the uid it runs as.
  rows.push_back({18, st.st_uid != guest_uid ? "pass" : "fail",
                  "host: " + what + " (pid " + std::to_string(pid) +
                      ") /proc/<pid>/environ owner " + std::to_string(st.st_uid) + ", runs as " +
                      std::to_string(guest_uid) +
                      (st.st_uid != guest_uid ? ": not dumpable" : ": dumpable")});
  std::ifstream limits(proc + "/limits");
  std::string line;
  while (std::getline(limits, line)) {
    if (line.rfind("Max core file size", 0) != 0) continue;
    std::istringstream fields(line.substr(18));
    std::string soft, hard;
    fields >> soft >> hard;
    rows.push_back({18, soft == "0" && hard == "0" ? "pass" : "fail",
                    "host: " + what + " RLIMIT_CORE soft " + soft + ", hard " + hard});
  }
  return rows;
}

pid_t find_process(pid_t root, const std::string& comm) {
  for (pid_t pid : descendants(root, true)) {
    if (comm_of(pid) == comm) return pid;
  }
  return -1;
}

}  // namespace oxydra::conformance
