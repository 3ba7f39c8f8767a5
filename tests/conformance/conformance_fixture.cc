#include "conformance_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <random>
#include <sstream>

#include "oxydra/testlib/proc_scan.h"

namespace oxydra::conformance {

std::vector<Row> parse_rows(const std::string& text) {
  std::vector<Row> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto t1 = line.find('\t');
    if (t1 == std::string::npos) continue;
    const auto t2 = line.find('\t', t1 + 1);
    if (t2 == std::string::npos) continue;
    Row row;
    try {
      std::size_t used = 0;
      row.property = std::stoi(line.substr(0, t1), &used);
      if (used != t1) continue;
    } catch (const std::exception&) {
      continue;
    }
    row.verdict = line.substr(t1 + 1, t2 - t1 - 1);
    if (row.verdict != "pass" && row.verdict != "fail" && row.verdict != "n/a") continue;
    row.detail = line.substr(t2 + 1);
    rows.push_back(row);
  }
  return rows;
}

std::string format_table(const std::string& driver, const std::vector<Row>& rows) {
  std::ostringstream out;
  out << "conformance table, "
      << (driver == "micro_vm" ? std::string("micro_vm tier, qemu driver under software emulation")
                               : "container tier, driver " + driver)
      << "\n"
      << "prop  result  detail\n"
      << "----  ------  ------\n";
  for (int p = 1; p <= 18; ++p) {
    for (const auto& r : rows) {
      if (r.property != p) continue;
      out << std::left << std::setw(4) << r.property << "  " << std::setw(6) << r.verdict << "  "
          << r.detail << "\n";
    }
  }
  return out.str();
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  std::random_device rd;
  std::string raw;
  for (std::size_t i = 0; i < bytes; ++i)
    raw += static_cast<char>(rd() & 0xff);
  return hex(raw);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool write_file(const std::string& path, const std::string& text, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return false;
  }
  return ::chmod(path.c_str(), mode) == 0;
}

std::string sha256_of_file(const std::string& path) {
  const std::string tool = find_program("sha256sum");
  if (tool.empty() || ::access(path.c_str(), R_OK) != 0) return {};
  auto result = run_command({tool, path}, {}, 30s);
  if (result.exit_code != 0) return {};
  return result.out.substr(0, result.out.find(' '));
}

bool process_alive(pid_t pid) {
  auto info = testlib::read_proc(pid);
  return info && info->state != 'Z';
}

std::string comm_of(pid_t pid) {
  auto info = testlib::read_proc(pid);
  return info ? info->comm : std::string("?");
}

std::set<pid_t> descendants(pid_t root, bool include_root) {
  std::multimap<pid_t, pid_t> children;
  for (const auto& p : testlib::list_processes())
    children.emplace(p.ppid, p.pid);
  std::set<pid_t> out;
  std::vector<pid_t> todo = {root};
  while (!todo.empty()) {
    const pid_t pid = todo.back();
    todo.pop_back();
    auto [begin, end] = children.equal_range(pid);
    for (auto it = begin; it != end; ++it) {
      if (out.insert(it->second).second) todo.push_back(it->second);
    }
  }
  if (include_root && testlib::read_proc(root)) out.insert(root);
  return out;
}

std::set<pid_t> cgroup_procs(const std::string& controller, const std::string& group) {
  std::set<pid_t> out;
  std::ifstream in("/sys/fs/cgroup/" + controller + "/" + group + "/cgroup.procs");
  pid_t pid = 0;
  while (in >> pid)
    out.insert(pid);
  return out;
}

std::vector<std::string> host_ipv4_addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (!::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text)) continue;
    if (std::string(text).rfind("127.", 0) == 0) continue;
    out.emplace_back(text);
  }
  ::freeifaddrs(list);
  return out;
}

std::chrono::milliseconds spawn_latency() {
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = -1;
  char arg0[] = "/bin/true";
  char* argv[] = {arg0, nullptr};
  if (::posix_spawn(&pid, arg0, nullptr, nullptr, argv, environ) == 0) ::waitpid(pid, nullptr, 0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  for (const char* dir2 : {"/usr/sbin", "/sbin", "/usr/local/sbin"}) {
    std::string candidate = std::string(dir2) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace oxydra::conformance
