#include "daemon/log_capture.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "daemon/no_throw.h"
#include "daemon/timestamps.h"
#include "oxydra/logging/journal.h"
#include "oxydra/logging/redact.h"
#include "oxydra/sys/utf8.h"

namespace oxydra::runner {

namespace {

constexpr std::size_t kRecentLines = 8;

}  // namespace

std::string_view to_string(GuestStream stream) {
  return stream == GuestStream::stderr_stream ? "stderr" : "stdout";
}

LogCapture::LogCapture(asio::io_context& io, std::filesystem::path logs_dir,
                       const LogConfig& config, std::string user_id)
    : io_(io), logs_dir_(std::move(logs_dir)), config_(config), user_id_(std::move(user_id)) {}

void LogCapture::attach(GuestRole role, GuestStream stream, sys::UniqueFd read_end) {
  auto pipe = std::make_shared<asio::posix::stream_descriptor>(io_, read_end.release());
  ++open_pipes_[role];
  asio::co_spawn(io_, pump(role, stream, std::move(pipe)), asio::detached);
}

asio::awaitable<void> LogCapture::pump(GuestRole role, GuestStream stream,
                                       std::shared_ptr<asio::posix::stream_descriptor> pipe) {
  std::string pending;
  char buffer[16 * 1024];
  for (;;) {
    auto [ec, n] = co_await pipe->async_read_some(asio::buffer(buffer), kTuple);
    if (n > 0) pending.append(buffer, n);
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      emit(role, stream, std::string_view(pending).substr(start, nl - start));
    }
    pending.erase(0, start);
    while (pending.size() >= kMaxLineBytes) {
      emit(role, stream, std::string_view(pending).substr(0, kMaxLineBytes));
      pending.erase(0, kMaxLineBytes);
    }
    if (ec) break;  // end of file once the guest (and all it started) closed the pipe
  }
  if (!pending.empty()) emit(role, stream, pending);
  --open_pipes_[role];
}

void LogCapture::emit(GuestRole role, GuestStream stream, std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  // A guest's bytes reach the operator's terminal through `logs` and through
  // anyone's `cat` of the file: escaped before they are stored.
  const std::string clean = sys::escape_controls(sys::sanitize_utf8(logging::redact(text)));
  const std::string ts = format_timestamp(std::chrono::system_clock::now());
  RotatingLog& file = log(role, stream);
  if (auto written = file.append(ts, clean); !written && file.held_lines() == 1) {
    spdlog::warn("guest log not written: {}", written.error().message);  // once per outage
  }
  if (auto journal = logging::active_journal()) {
    const bool err = stream == GuestStream::stderr_stream;
    journal->send({{"MESSAGE", clean},
                   {"PRIORITY", err ? "5" : "6"},
                   {"SYSLOG_IDENTIFIER", role == GuestRole::runtime ? "oxydra-vm" : "shell-vm"},
                   {"OXYDRA_USER", user_id_},
                   {"OXYDRA_ROLE", std::string(to_string(role))},
                   {"OXYDRA_STREAM", err ? "stderr" : "stdout"}});
  }
  if (stream == GuestStream::stderr_stream) {
    auto& recent = recent_[role];
    recent.push_back(clean);
    if (recent.size() > kRecentLines) recent.pop_front();
  }
}

RotatingLog& LogCapture::log(GuestRole role, GuestStream stream) {
  const std::string key = std::string(to_string(role)) + "." + std::string(to_string(stream));
  auto& slot = logs_[key];
  if (!slot) {
    slot = std::make_unique<RotatingLog>(log_path(logs_dir_, to_string(role), to_string(stream)),
                                         static_cast<std::uint64_t>(config_.max_bytes),
                                         static_cast<std::uint64_t>(config_.max_files));
  }
  return *slot;
}

std::vector<std::string> LogCapture::recent_stderr(GuestRole role) const {
  auto it = recent_.find(role);
  if (it == recent_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

bool LogCapture::drained(GuestRole role) const {
  auto it = open_pipes_.find(role);
  return it == open_pipes_.end() || it->second == 0;
}

}  // namespace oxydra::runner
