#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace oxydra::logging {

using JournalFields = std::vector<std::pair<std::string, std::string>>;

// journald's native protocol (systemd's "Native Journal Protocol"): one
// datagram per entry of "KEY=value\n" fields; a value that holds a newline is
// sent as "KEY\n", its length as 64-bit little endian, the bytes and "\n".
std::string encode_journal_entry(const JournalFields& fields);

// Whether stderr is the journal: systemd sets JOURNAL_STREAM to the
// "device:inode" of the stream it connects a service's output to.
bool stderr_is_journal();

// A connection to journald's socket: $OXYDRA_JOURNAL_SOCKET when set (tests),
// else /run/systemd/journal/socket. journald attributes each entry to the
// sender's unit (its cgroup), so `journalctl -u oxydra@alice` finds them.
class Journal {
 public:
  static std::shared_ptr<Journal> connect();
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Sends one entry without waiting; false when journald did not take it
  // (its queue full, gone). Thread-safe.
  bool send(const JournalFields& fields);

 private:
  Journal(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
  std::mutex mutex_;
};

// The journal this process logs to (setup() with Format::journal, or
// Format::text while stderr is the journal), else null. Fields added with
// add_journal_field() go with each of its own log lines.
std::shared_ptr<Journal> active_journal();
void add_journal_field(std::string key, std::string value);

}  // namespace oxydra::logging
