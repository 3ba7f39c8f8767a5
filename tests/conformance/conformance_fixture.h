#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace oxydra::conformance {

using namespace std::chrono_literals;

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the test's environment plus `env`; stdin is /dev/null.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          std::chrono::milliseconds timeout);

// One row of the conformance table.
struct Row {
  int property = 0;
  std::string verdict;  // "pass", "fail" or "n/a"
  std::string detail;
};

// Parses `<property#>\t<verdict>\t<detail>` lines; other lines are ignored.
std::vector<Row> parse_rows(const std::string& text);
std::string format_table(const std::string& driver, const std::vector<Row>& rows);

std::string hex(const std::string& bytes);
std::string random_hex(std::size_t bytes);
std::string read_file(const std::string& path);  // "" when unreadable
bool write_file(const std::string& path, const std::string& text, mode_t mode = 0644);
std::string sha256_of_file(const std::string& path);  // "" when unreadable

bool process_alive(pid_t pid);  // exists and is not a zombie
std::string comm_of(pid_t pid);
// `root` and every process below it (a snapshot of /proc).
std::set<pid_t> descendants(pid_t root, bool include_root);
// The processes of a cgroup v1 hierarchy's group (cgroup.procs).
std::set<pid_t> cgroup_procs(const std::string& controller, const std::string& group);
// The host's IPv4 addresses other than loopback.
std::vector<std::string> host_ipv4_addresses();
// Wall time of fork+exec of /bin/true.
std::chrono::milliseconds spawn_latency();
// Looks a program up in PATH ("" when absent).
std::string find_program(const std::string& name);

bool must_work();  // OXYDRA_MUST_WORK=1

}  // namespace oxydra::conformance
