#include "deadline.h"

namespace oxydra::runtime {

Deadline::Deadline(std::chrono::milliseconds timeout, std::function<void()> on_expiry) {
  const auto at = std::chrono::steady_clock::now() + timeout;
  thread_ = std::thread([this, at, on_expiry = std::move(on_expiry)] {
    std::unique_lock lock(mu_);
    if (cv_.wait_until(lock, at, [this] { return done_; })) return;
    lock.unlock();
    on_expiry();
  });
}

Deadline::~Deadline() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

}  // namespace oxydra::runtime
