#include "daemon/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "oxydra/sys/unique_fd.h"

namespace oxydra::runner {

ServiceNotifier ServiceNotifier::from_environment() {
  ServiceNotifier notifier;
  if (const char* socket = std::getenv("NOTIFY_SOCKET"); socket && *socket) {
    notifier.socket_ = socket;
  }
  ::unsetenv("NOTIFY_SOCKET");
  return notifier;
}

void ServiceNotifier::ready(std::string_view status) const {
  send("READY=1\nSTATUS=" + std::string(status));
}

void ServiceNotifier::stopping() const {
  send("STOPPING=1\nSTATUS=stopping");
}

void ServiceNotifier::status(std::string_view status) const {
  send("STATUS=" + std::string(status));
}

void ServiceNotifier::send(const std::string& message) const {
  if (socket_.empty()) return;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_.size() >= sizeof address.sun_path) return;
  std::memcpy(address.sun_path, socket_.data(), socket_.size());
  if (socket_[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  sys::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd || ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL,
                      reinterpret_cast<sockaddr*>(&address), length) < 0) {
    spdlog::warn("notify {}: {}", socket_, std::strerror(errno));
  }
}

}  // namespace oxydra::runner
