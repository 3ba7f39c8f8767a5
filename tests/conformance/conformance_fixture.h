#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "oxydra/testlib/must_work.h"
#include "oxydra/testlib/run_command.h"

namespace oxydra::conformance {

using namespace std::chrono_literals;

using testlib::CommandResult;
using testlib::run_command;

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

using testlib::must_work;

}  // namespace oxydra::conformance
