#include "daemon/log_reader.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "daemon/log_file.h"
#include "oxydra/sys/utf8.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;
using control_rpc::LogEntry;

// Bytes of JSON around each entry besides its text (keys, quotes, role, ts).
constexpr std::size_t kEntryOverhead = 96;

std::vector<std::string_view> selected(std::string_view choice, std::string_view all,
                                       std::vector<std::string_view> each) {
  if (choice == all) return each;
  return {choice};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Entries of one log, oldest first, newest files read first until `want` are found.
std::vector<LogEntry> read_source(const fs::path& path, std::string_view role,
                                  std::string_view stream, const std::string& since,
                                  std::uint64_t want) {
  std::vector<LogEntry> out;  // newest first while collecting
  auto files = log_generations(path);
  bool older_than_since = false;
  for (auto file = files.rbegin(); file != files.rend() && !older_than_since; ++file) {
    const std::string text = read_file(*file);
    std::vector<LogEntry> chunk;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      auto line = parse_log_line(std::string_view(text).substr(start, end - start));
      start = end + 1;
      if (!line) continue;
      if (!since.empty() && line->timestamp < since) {
        older_than_since = true;
        continue;
      }
      chunk.push_back(LogEntry{std::string(line->timestamp), std::string(role), std::string(stream),
                               sys::escape_controls(sys::sanitize_utf8(line->text))});
    }
    out.insert(out.end(), std::make_move_iterator(chunk.rbegin()),
               std::make_move_iterator(chunk.rend()));
    if (want > 0 && out.size() >= want) break;
  }
  if (want > 0 && out.size() > want) out.resize(want);
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

LogQueryResult read_logs(const fs::path& logs_dir, const control_rpc::LogsRequest& request,
                         std::size_t max_reply_bytes) {
  const std::string since = request.since.value_or("");
  LogQueryResult result;
  for (auto role : selected(request.role, control_rpc::kRoleAll,
                            {control_rpc::kRoleRuntime, control_rpc::kRoleSidecar})) {
    for (auto stream : selected(request.stream, control_rpc::kStreamBoth,
                                {control_rpc::kStreamStdout, control_rpc::kStreamStderr})) {
      auto entries =
          read_source(log_path(logs_dir, role, stream), role, stream, since, request.tail);
      result.entries.insert(result.entries.end(), std::make_move_iterator(entries.begin()),
                            std::make_move_iterator(entries.end()));
    }
  }
  std::stable_sort(result.entries.begin(), result.entries.end(),
                   [](const LogEntry& a, const LogEntry& b) { return a.ts < b.ts; });
  auto& entries = result.entries;
  if (request.tail > 0 && entries.size() > request.tail) {
    entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(request.tail));
  }
  std::size_t bytes = 0;
  auto keep_from = entries.end();
  while (keep_from != entries.begin()) {
    const auto& entry = *(keep_from - 1);
    // JSON escaping can at most double plain text, plus \u escapes of controls.
    const std::size_t size = entry.line.size() * 2 + kEntryOverhead;
    if (bytes + size > max_reply_bytes) break;
    bytes += size;
    --keep_from;
  }
  result.truncated = keep_from != entries.begin();
  entries.erase(entries.begin(), keep_from);
  return result;
}

}  // namespace oxydra::runner
