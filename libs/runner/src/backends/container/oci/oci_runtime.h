#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// The OCI runtime binary (runc, crun) driven directly, with its state kept
// under the runner's own --root so other users of runc never see our guests.
class OciRuntime {
 public:
  // `program`: a name looked up in PATH or a path. Fails when it is not there.
  static Result<OciRuntime> locate(const std::string& program, std::filesystem::path state_root);

  const std::string& program() const { return program_; }

  // argv for `run --detach`: the runtime starts the guest and exits, leaving
  // the guest's init (its host pid written to `pid_file`) to the runner, its
  // subreaper; fds 3..3+preserved_fds-1 and the runtime's stdout and stderr
  // reach the guest.
  std::vector<std::string> run_detached_argv(const std::filesystem::path& bundle,
                                             const std::string& id, int preserved_fds,
                                             const std::filesystem::path& pid_file) const;

  // Whether the runtime keeps a record of `id` (a leftover to delete first).
  bool has_record(const std::string& id) const;

  // "running", "created", "stopped", ...; nullopt when no such container.
  struct State {
    std::string status;
    pid_t pid = 0;  // the guest's init, in the host's pid namespace
  };
  std::optional<State> state(const std::string& id) const;

  void kill(const std::string& id, const std::string& signal) const;
  // delete --force: kills what is left and removes the runtime's record.
  Result<void> remove(const std::string& id) const;

 private:
  OciRuntime(std::string program, std::filesystem::path root)
      : program_(std::move(program)), root_(std::move(root)) {}

  std::vector<std::string> base_argv() const;

  std::string program_;
  std::filesystem::path root_;
};

// `runc state`'s JSON: status and the init's pid; nullopt when it is not a
// JSON object. Wrong types read as absent.
std::optional<OciRuntime::State> parse_runc_state(std::string_view json_text);

}  // namespace oxydra::runner
