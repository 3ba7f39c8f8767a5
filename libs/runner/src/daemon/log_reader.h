#pragma once

#include <cstddef>
#include <filesystem>

#include "oxydra/types/control_messages.h"

namespace oxydra::runner {

// Reads guest log entries back for a `logs` request: the selected roles and
// streams merged by time, those at or after `since`, the last `tail` of them
// (0: all), oldest first. Files are read newest first and reading stops once
// enough entries are found. The reply is kept under `max_reply_bytes` by
// dropping the oldest entries; `truncated` says whether that happened.
struct LogQueryResult {
  std::vector<control_rpc::LogEntry> entries;
  bool truncated = false;
};

LogQueryResult read_logs(const std::filesystem::path& logs_dir,
                         const control_rpc::LogsRequest& request, std::size_t max_reply_bytes);

}  // namespace oxydra::runner
