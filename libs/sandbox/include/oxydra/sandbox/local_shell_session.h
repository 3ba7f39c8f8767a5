#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "oxydra/sandbox/shell_session.h"
#include "oxydra/sys/temp_dir.h"
#include "oxydra/sys/unique_fd.h"

namespace oxydra::sandbox {

// Runs commands with /bin/sh -c directly on this host, each in its own process
// group, with the same ExecResult and cwd/env persistence as the daemon.
//
// NOT ISOLATED: commands have this process's user, filesystem and network.
// For development and tests only; its status says so (insecure_process_tier).
//
// The environment starts minimal (PATH, HOME, USER, LANG, TERM=dumb) plus the
// spawn options' env; this process's own environment is not passed on.
class LocalProcessShellSession final : public ShellSession {
 public:
  struct Options {
    std::string shell = "/bin/sh";
    std::uint64_t default_max_output_bytes = std::uint64_t{64} << 10;
  };

  LocalProcessShellSession();
  explicit LocalProcessShellSession(Options options);
  ~LocalProcessShellSession() override;

  Availability status() const override;
  Result<void> spawn(const SpawnOptions& options) override;
  Result<ExecResult> exec(const ExecOptions& options) override;
  Result<OutputChunk> read_output(std::optional<std::uint64_t> max_bytes) override;
  Result<bool> cancel() override;
  Result<void> kill() override;
  std::optional<std::string> id() const override;

 private:
  Result<void> check_ready() const;
  void load_state(const std::string& state_file);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable idle_;  // running_ went false
  bool spawned_ = false;
  bool running_ = false;
  std::string id_;
  std::string cwd_;
  std::map<std::string, std::string> env_;
  sys::TempDir state_dir_;                    // private, for the state file
  sys::UniqueFd cancel_read_, cancel_write_;  // a byte here stops the running command
  std::deque<OutputChunk> pending_;           // pull mode
};

}  // namespace oxydra::sandbox
