#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "audit_format.h"
#include "oxydra/memory/audit.h"
#include "oxydra/memory/sha256.h"

namespace oxydra::memory {

namespace {

Result<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(errno_error("open " + path, errno));
  std::string data;
  char buffer[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return tl::unexpected(errno_error("read " + path, err));
    }
    if (n == 0) break;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return data;
}

// Checks one line against the chain; returns what is wrong, or "" if nothing.
std::string check_line(std::string_view line, std::uint64_t number, std::string_view prev_hash) {
  if (line.empty()) return "empty line";
  switch (check_seal(line)) {
    case SealCheck::malformed:
      return "missing or malformed \"hash\" member";
    case SealCheck::mismatch:
      return "line hash mismatch (the line was modified)";
    case SealCheck::ok:
      break;
  }
  auto record = nlohmann::json::parse(line, nullptr, false);
  if (!record.is_object()) return "not a JSON object";
  auto prev = record.find("prev_hash");
  if (prev == record.end() || !prev->is_string() ||
      !is_hex_hash(prev->get_ref<const std::string&>())) {
    return "missing or malformed prev_hash";
  }
  if (prev->get_ref<const std::string&>() != prev_hash) {
    if (number == 1) return "hash chain broken (the first line's prev_hash is not zero)";
    return "hash chain broken (prev_hash does not match line " + std::to_string(number - 1) + ")";
  }
  auto seq = record.find("seq");
  if (seq == record.end() || !seq->is_number_unsigned() || seq->get<std::uint64_t>() != number) {
    return "seq is " + (seq == record.end() ? std::string("missing") : seq->dump()) +
           ", expected " + std::to_string(number);
  }
  return {};
}

}  // namespace

Result<AuditSummary> verify_audit_log(const std::string& path) {
  auto data = read_file(path);
  if (!data) return tl::unexpected(data.error());
  AuditSummary summary{0, std::string(kZeroHash)};
  std::string_view rest(*data);
  while (!rest.empty()) {
    const std::uint64_t number = summary.lines + 1;
    auto newline = rest.find('\n');
    std::string problem;
    std::string_view line = rest.substr(0, newline);
    if (newline == std::string_view::npos) {
      problem = "incomplete line (no newline at the end)";
    } else {
      problem = check_line(line, number, summary.last_hash);
    }
    if (!problem.empty()) {
      return fail(ErrorCode::audit_tampered, path + ":" + std::to_string(number) + ": " + problem);
    }
    summary.lines = number;
    summary.last_hash = sha256_hex(line);
    rest.remove_prefix(newline + 1);
  }
  return summary;
}

}  // namespace oxydra::memory
