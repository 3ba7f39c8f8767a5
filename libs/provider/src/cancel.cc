#include "oxydra/provider/cancel.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace oxydra::provider {

struct CancelToken::State {
  std::atomic<bool> cancelled{false};
  std::mutex mutex;
  std::condition_variable changed;
};

CancelToken::CancelToken() : state_(std::make_shared<State>()) {}

void CancelToken::cancel() const {
  {
    // Under the lock so a waiter between its check and its wait cannot miss it.
    std::lock_guard lock(state_->mutex);
    state_->cancelled.store(true);
  }
  state_->changed.notify_all();
}

bool CancelToken::cancelled() const {
  return state_->cancelled.load(std::memory_order_relaxed);
}

bool CancelToken::wait_for(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->cancelled.load(); });
}

}  // namespace oxydra::provider
