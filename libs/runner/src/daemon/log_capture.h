#pragma once

#include <cstddef>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "daemon/log_file.h"
#include "oxydra/runner/backend.h"
#include "oxydra/types/runner_config.h"

namespace oxydra::runner {

// Guest stdout/stderr, captured on the runner's io_context: split into lines,
// redacted (registered secrets), made valid UTF-8, timestamped on arrival and
// appended to <logs>/<role>.<stream>.log with size-based rotation (and sent
// to the journal when the runner logs there).
class LogCapture final : public GuestOutput {
 public:
  // Longer lines are split into entries of this many bytes.
  static constexpr std::size_t kMaxLineBytes = std::size_t{16} << 10;

  // Under systemd each line also goes to the journal, with the fields
  // OXYDRA_USER (`user_id`), OXYDRA_ROLE and OXYDRA_STREAM.
  LogCapture(asio::io_context& io, std::filesystem::path logs_dir, const LogConfig& config,
             std::string user_id);

  void attach(GuestRole role, GuestStream stream, sys::UniqueFd read_end) override;

  // The last stderr lines of a role, for a startup failure message.
  std::vector<std::string> recent_stderr(GuestRole role) const;
  // True once every pipe attached for `role` has reached end of file.
  bool drained(GuestRole role) const;

 private:
  asio::awaitable<void> pump(GuestRole role, GuestStream stream,
                             std::shared_ptr<asio::posix::stream_descriptor> pipe);
  void emit(GuestRole role, GuestStream stream, std::string_view text);
  RotatingLog& log(GuestRole role, GuestStream stream);

  asio::io_context& io_;
  std::filesystem::path logs_dir_;
  LogConfig config_;
  std::string user_id_;
  std::map<std::string, std::unique_ptr<RotatingLog>> logs_;
  std::map<GuestRole, std::deque<std::string>> recent_;
  std::map<GuestRole, int> open_pipes_;
};

std::string_view to_string(GuestStream stream);

}  // namespace oxydra::runner
