#pragma once

#include <string>
#include <string_view>

namespace oxydra::runner {

// systemd's readiness protocol (sd_notify(3)) for `Type=notify` units:
// datagrams such as "READY=1", "STOPPING=1" and "STATUS=..." to the socket
// named by $NOTIFY_SOCKET (a path, or an abstract name after '@').
class ServiceNotifier {
 public:
  // Takes $NOTIFY_SOCKET out of the environment: no child may see it (runc,
  // finding it, would wait for the container itself to notify).
  static ServiceNotifier from_environment();

  bool enabled() const { return !socket_.empty(); }
  void ready(std::string_view status) const;
  void stopping() const;
  void status(std::string_view status) const;

 private:
  void send(const std::string& message) const;
  std::string socket_;
};

}  // namespace oxydra::runner
