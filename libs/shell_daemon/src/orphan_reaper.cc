#include "orphan_reaper.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "process.h"

namespace oxydra::shell_daemon {

OrphanReaper::OrphanReaper(const asio::any_io_executor& executor) : signals_(executor) {}

bool OrphanReaper::needed() {
  int subreaper = 0;
  ::prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
  return ::getpid() == 1 || subreaper != 0;
}

void OrphanReaper::start() {
  signals_.add(SIGCHLD);
  asio::co_spawn(signals_.get_executor(), loop(), [](const std::exception_ptr&) {});
}

void OrphanReaper::stop() {
  std::error_code ignored;
  signals_.cancel(ignored);
}

asio::awaitable<void> OrphanReaper::loop() {
  for (;;) {
    auto [ec, sig] =
        co_await signals_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    reap_orphans();
  }
}

// waitpid(-1) would also take the status of a supervised shell, which its
// Command must read; so children are listed and only the others reaped.
void OrphanReaper::reap_orphans() {
  const std::string self = std::to_string(::getpid());
  std::ifstream children("/proc/" + self + "/task/" + self + "/children");
  pid_t pid;
  while (children >> pid) {
    if (is_supervised(pid)) continue;
    int status;
    ::waitpid(pid, &status, WNOHANG);
  }
}

}  // namespace oxydra::shell_daemon
