#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "audit_format.h"
#include "oxydra/logging/redact.h"
#include "oxydra/memory/audit.h"
#include "oxydra/memory/sha256.h"
#include "oxydra/sys/io.h"

namespace oxydra::memory {

namespace {

Error io_error(const std::string& path, std::string_view what, int err) {
  return errno_error(std::string(what) + " " + path, err);
}

Result<void> pread_all(int fd, char* data, std::size_t size, off_t offset,
                       const std::string& path) {
  while (size > 0) {
    ssize_t n = ::pread(fd, data, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(io_error(path, "read", errno));
    if (n == 0) return fail(ErrorCode::io, "read " + path + ": file shrank while reading");
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += n;
  }
  return {};
}

// The last line of a non-empty file, without its newline, read backwards so
// reopening a large log costs one line, not the whole file.
Result<std::string> read_last_line(int fd, off_t size, const std::string& path) {
  char last = 0;
  if (auto ok = pread_all(fd, &last, 1, size - 1, path); !ok) return tl::unexpected(ok.error());
  if (last != '\n') {
    return fail(ErrorCode::audit_tampered,
                path + ": last line is incomplete (no newline); check it with audit-verify");
  }
  constexpr off_t kChunk = off_t{64} << 10;
  std::string line;
  off_t start = size - 1;
  while (start > 0) {
    off_t from = std::max<off_t>(0, start - kChunk);
    std::string chunk(static_cast<std::size_t>(start - from), '\0');
    if (auto ok = pread_all(fd, chunk.data(), chunk.size(), from, path); !ok) {
      return tl::unexpected(ok.error());
    }
    auto newline = chunk.rfind('\n');
    if (newline != std::string::npos) return chunk.substr(newline + 1) + line;
    line.insert(0, chunk);
    start = from;
  }
  return line;
}

std::string format_time(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char out[40];
  std::size_t n = std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(out + n, sizeof out - n, ".%03dZ", static_cast<int>(ms % 1000));
  return out;
}

std::string record_body(const AuditRecord& record, std::uint64_t seq, const std::string& prev) {
  nlohmann::ordered_json j;
  j["seq"] = seq;
  j["ts"] = format_time(record.time.value_or(std::chrono::system_clock::now()));
  j["session_id"] = record.session_id;
  j["tool"] = record.tool;
  j["arguments"] = redact_arguments(record.arguments);
  if (record.exit_code) j["exit_code"] = *record.exit_code;
  if (record.error) j["error"] = redact_arguments(nlohmann::json(*record.error));
  j["duration_ms"] = record.duration_ms;
  if (record.stdout_bytes) j["stdout_bytes"] = *record.stdout_bytes;
  if (record.stderr_bytes) j["stderr_bytes"] = *record.stderr_bytes;
  if (record.output_bytes) j["output_bytes"] = *record.output_bytes;
  j["prev_hash"] = prev;
  // Invalid UTF-8 from a tool must not make the record unwritable.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

class AuditLog::Impl {
 public:
  std::string path;
  int fd = -1;
  Options options;
  std::mutex mutex;
  std::uint64_t seq = 0;
  std::string last_hash{kZeroHash};
  bool broken = false;

  ~Impl() {
    if (fd >= 0) ::close(fd);
  }

  Result<void> load_tail() {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return tl::unexpected(io_error(path, "stat", errno));
    if ((st.st_mode & 0777) != 0600 && ::fchmod(fd, 0600) != 0) {
      return tl::unexpected(io_error(path, "chmod", errno));
    }
    if (st.st_size == 0) return {};
    auto line = read_last_line(fd, st.st_size, path);
    if (!line) return tl::unexpected(line.error());
    auto last = nlohmann::json::parse(*line, nullptr, false);
    if (!last.is_object() || !last.contains("seq") || !last["seq"].is_number_unsigned()) {
      return fail(ErrorCode::audit_tampered,
                  path + ": last line is not an audit record; check it with audit-verify");
    }
    seq = last["seq"].get<std::uint64_t>();
    last_hash = sha256_hex(*line);
    return {};
  }

  Result<void> write_line(const std::string& line) {
    if (const int err = sys::write_all(fd, line)) {
      return tl::unexpected(io_error(path, "write", err));
    }
    if (options.sync && ::fdatasync(fd) != 0) {
      return tl::unexpected(io_error(path, "fdatasync", errno));
    }
    return {};
  }
};

Result<AuditLog> AuditLog::open(const std::string& path, Options options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  impl->fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (impl->fd < 0) return tl::unexpected(io_error(path, "open", errno));
  // Two writers would fork the chain; the lock goes away with the descriptor.
  if (::flock(impl->fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return fail(ErrorCode::audit_locked, path + ": in use by another writer");
    return tl::unexpected(io_error(path, "lock", errno));
  }
  if (auto loaded = impl->load_tail(); !loaded) return tl::unexpected(loaded.error());
  return AuditLog(std::move(impl));
}

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditLog::AuditLog(AuditLog&&) noexcept = default;
AuditLog& AuditLog::operator=(AuditLog&&) noexcept = default;
AuditLog::~AuditLog() = default;

Result<std::uint64_t> AuditLog::append(const AuditRecord& record) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->broken) {
    return fail(ErrorCode::io, impl_->path + ": audit log disabled after an earlier write failure");
  }
  const std::uint64_t seq = impl_->seq + 1;
  const std::string line = seal_line(record_body(record, seq, impl_->last_hash));
  if (auto written = impl_->write_line(line + "\n"); !written) {
    // A partial line may be on disk; appending after it would hide the break.
    impl_->broken = true;
    return tl::unexpected(written.error());
  }
  impl_->seq = seq;
  impl_->last_hash = sha256_hex(line);
  return seq;
}

const std::string& AuditLog::path() const {
  return impl_->path;
}

std::uint64_t AuditLog::last_seq() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seq;
}

std::string AuditLog::last_hash() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_hash;
}

}  // namespace oxydra::memory
