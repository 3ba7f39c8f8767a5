#include "backends/container/oci/oci_runtime.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "backends/container/oci/command_output.h"
#include "backends/find_program.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;
constexpr std::chrono::seconds kCommandTimeout{15};

}  // namespace

Result<OciRuntime> OciRuntime::locate(const std::string& program, fs::path state_root) {
  auto found = find_program(program);
  if (!found) {
    return fail(ErrorCode::tier_unavailable,
                "OCI runtime '" + program +
                    "' not found in PATH; install runc (apt-get install "
                    "runc) or set [container] oci_runtime");
  }
  std::error_code ec;
  fs::create_directories(state_root, ec);
  if (ec) return tl::unexpected(errno_error("mkdir " + state_root.string(), ec.value()));
  fs::permissions(state_root, fs::perms::owner_all, ec);
  return OciRuntime(std::move(*found), std::move(state_root));
}

std::vector<std::string> OciRuntime::base_argv() const {
  return {program_, "--root", root_.string()};
}

std::vector<std::string> OciRuntime::run_detached_argv(const fs::path& bundle,
                                                       const std::string& id, int preserved_fds,
                                                       const fs::path& pid_file) const {
  auto argv = base_argv();
  // runc's default: the guest gets a session keyring of its own, never the runner's.
  for (const char* arg : {"run", "--detach", "--bundle"})
    argv.emplace_back(arg);
  argv.push_back(bundle.string());
  argv.emplace_back("--pid-file");
  argv.push_back(pid_file.string());
  argv.emplace_back("--preserve-fds");
  argv.push_back(std::to_string(preserved_fds));
  argv.push_back(id);
  return argv;
}

bool OciRuntime::has_record(const std::string& id) const {
  // runc and crun both keep a container's state in a directory named after it.
  std::error_code ec;
  return fs::exists(root_ / id, ec) || ec;
}

std::optional<OciRuntime::State> OciRuntime::state(const std::string& id) const {
  auto argv = base_argv();
  argv.emplace_back("state");
  argv.push_back(id);
  auto output = run_command(argv, kCommandTimeout);
  if (!output || output->exit_code != 0) return std::nullopt;
  return parse_runc_state(output->out);
}

void OciRuntime::kill(const std::string& id, const std::string& signal) const {
  auto argv = base_argv();
  for (const char* arg : {"kill", "--all"})
    argv.emplace_back(arg);
  argv.push_back(id);
  argv.push_back(signal);
  (void)run_command(argv, kCommandTimeout);
}

Result<void> OciRuntime::remove(const std::string& id) const {
  auto argv = base_argv();
  for (const char* arg : {"delete", "--force"})
    argv.emplace_back(arg);
  argv.push_back(id);
  auto output = run_command(argv, kCommandTimeout);
  if (!output) return tl::unexpected(output.error());
  if (output->exit_code != 0 && output->err.find("does not exist") == std::string::npos &&
      output->err.find("not exist") == std::string::npos) {
    std::string detail = output->err;
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' '))
      detail.pop_back();
    return fail(ErrorCode::container_cleanup, program_ + " delete " + id + ": " + detail);
  }
  return {};
}

}  // namespace oxydra::runner
