#include "cli/interrupt.h"

#include <pthread.h>
#include <signal.h>

namespace oxydra::runner {

namespace {

sigset_t interrupt_set() {
  sigset_t set;
  ::sigemptyset(&set);
  ::sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

InterruptWatcher::InterruptWatcher(std::function<void()> on_interrupt)
    : on_interrupt_(std::move(on_interrupt)) {
  sigset_t set = interrupt_set();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    for (;;) {
      int sig = 0;
      if (::sigwait(&set, &sig) != 0) continue;
      if (done_.load()) return;
      on_interrupt_();
    }
  });
}

InterruptWatcher::~InterruptWatcher() {
  done_.store(true);
  ::pthread_kill(thread_.native_handle(), SIGINT);
  thread_.join();
  sigset_t set = interrupt_set();
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace oxydra::runner
