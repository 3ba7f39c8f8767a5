#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"

namespace oxydra::shell_daemon {

// A listening socket (Unix or vsock) that hands each accepted connection,
// non-blocking and close-on-exec, to a callback.
class Listener {
 public:
  using AcceptFn = std::function<void(sys::UniqueFd fd, std::string peer)>;

  // Replaces a stale socket file (nobody answering on it); refuses a live
  // one or a path that is not a socket. The socket is mode 0600.
  static Result<std::unique_ptr<Listener>> unix_socket(const asio::any_io_executor& executor,
                                                       const std::string& path);
  static Result<std::unique_ptr<Listener>> vsock(const asio::any_io_executor& executor,
                                                 std::uint32_t port);
  ~Listener();

  void start(AcceptFn on_accept);
  // Stops accepting and removes the socket file.
  void close();
  const std::string& name() const { return name_; }

 private:
  Listener(const asio::any_io_executor& executor, sys::UniqueFd fd, std::string name,
           std::string unlink_path);
  asio::awaitable<void> accept_loop(AcceptFn on_accept);

  asio::posix::stream_descriptor socket_;
  std::string name_;
  std::string unlink_path_;
  std::uint64_t accepted_ = 0;
};

// Opens a serial device (e.g. a virtio-serial port) once, read-write, in raw
// mode when it is a terminal.
Result<sys::UniqueFd> open_serial(const std::string& path);

}  // namespace oxydra::shell_daemon
