#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/signal_set.hpp>

namespace oxydra::shell_daemon {

// When the daemon is PID 1 of its namespace (a container or a microVM's
// init) or a child subreaper, processes orphaned by commands are re-parented
// to it and would stay zombies unless reaped. This reaps every child that is
// not a supervised shell (those are reaped by their Command) on SIGCHLD.
class OrphanReaper {
 public:
  explicit OrphanReaper(const asio::any_io_executor& executor);
  static bool needed();
  void start();
  void stop();

 private:
  asio::awaitable<void> loop();
  void reap_orphans();

  asio::signal_set signals_;
};

}  // namespace oxydra::shell_daemon
