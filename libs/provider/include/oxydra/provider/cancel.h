#pragma once

#include <chrono>
#include <memory>

namespace oxydra::provider {

// A cancellation flag shared by copies: the caller keeps one copy and cancels
// it from any thread; the request polls or waits on another.
class CancelToken {
 public:
  CancelToken();

  void cancel() const;
  bool cancelled() const;
  // Sleeps up to `timeout`, waking early on cancel. Returns cancelled().
  bool wait_for(std::chrono::milliseconds timeout) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace oxydra::provider
