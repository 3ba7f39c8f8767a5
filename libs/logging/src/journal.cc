#include "oxydra/logging/journal.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace oxydra::logging {

namespace {

constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

}  // namespace

std::string encode_journal_entry(const JournalFields& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    out += key;
    if (value.find('\n') == std::string::npos) {
      out += '=';
      out += value;
    } else {
      out += '\n';
      std::uint64_t size = value.size();
      for (int i = 0; i < 8; ++i) {
        out += static_cast<char>(size & 0xff);
        size >>= 8;
      }
      out += value;
    }
    out += '\n';
  }
  return out;
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream || !*stream) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  const std::string mine = std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
                           std::to_string(static_cast<unsigned long long>(st.st_ino));
  return mine == stream;
}

std::shared_ptr<Journal> Journal::connect() {
  const char* override_path = std::getenv("OXYDRA_JOURNAL_SOCKET");
  std::string path = override_path && *override_path ? override_path : kJournalSocket;
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    ::close(fd);
    return nullptr;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::shared_ptr<Journal>(new Journal(fd, std::move(path)));
}

Journal::~Journal() {
  ::close(fd_);
}

bool Journal::send(const JournalFields& fields) {
  const std::string entry = encode_journal_entry(fields);
  std::lock_guard lock(mutex_);
  for (;;) {
    // Never wait for journald: a stalled journal must not stall the runner.
    // A line it does not take is still in the runner's log files (guests) or
    // goes to stderr (the runner's own).
    const ssize_t n = ::send(fd_, entry.data(), entry.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return static_cast<std::size_t>(n) == entry.size();
    if (errno != EINTR) return false;
  }
}

}  // namespace oxydra::logging
