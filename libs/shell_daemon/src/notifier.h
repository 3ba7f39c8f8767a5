#pragma once

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace oxydra::shell_daemon {

// Wakes every coroutine waiting on it. Waiters re-check their condition in a
// loop (`while (!ready) co_await n.wait();`): on one thread nothing can change
// between the check and the wait, so no wake-up is lost.
class Notifier {
 public:
  explicit Notifier(const asio::any_io_executor& executor)
      : timer_(executor, asio::steady_timer::time_point::max()) {}

  void notify_all() { timer_.cancel(); }

  asio::awaitable<void> wait() {
    co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }

 private:
  asio::steady_timer timer_;
};

}  // namespace oxydra::shell_daemon
