#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "oxydra/tools/registry.h"

namespace oxydra::runtime::testing {

// What probe tools did, in order, and how many ran at once.
struct ProbeLog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;
  int running = 0;
  int max_running = 0;

  void begin(const std::string& name) {
    std::lock_guard lock(mu);
    events.push_back("begin " + name);
    max_running = std::max(max_running, ++running);
    cv.notify_all();
  }
  void end(const std::string& name) {
    std::lock_guard lock(mu);
    events.push_back("end " + name);
    --running;
    cv.notify_all();
  }
  // Waits (bounded) until `n` tools have run at once: only parallel calls get there.
  bool wait_running(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return max_running >= n; });
  }
};

// A tool that logs its run. `rendezvous` > 1: wait until that many run at
// once. `wait_for_stop`: run until the turn stops it.
class ProbeTool final : public tools::Tool {
 public:
  ProbeTool(std::string name, tools::SafetyTier tier, std::shared_ptr<ProbeLog> log,
            int rendezvous = 1, bool wait_for_stop = false)
      : Tool(std::move(name), "a probe",
             tools::ArgSchema({{.name = "x", .type = tools::ArgType::string}}), tier),
        log_(std::move(log)),
        rendezvous_(rendezvous),
        wait_for_stop_(wait_for_stop) {}

 protected:
  Result<tools::ToolOutput> run(const nlohmann::json& args,
                                const tools::ToolContext& ctx) override {
    log_->begin(name());
    if (rendezvous_ > 1) log_->wait_running(rendezvous_);
    if (wait_for_stop_) {
      std::mutex mu;
      std::condition_variable_any cv;
      std::unique_lock lock(mu);
      cv.wait_for(lock, ctx.stop, std::chrono::seconds(30), [] { return false; });
      log_->end(name());
      return tools::ToolOutput::failure(tools::tool_error::kCancelled, name() + " stopped");
    }
    log_->end(name());
    return tools::ToolOutput::success(name() + " ok " + args.dump());
  }

 private:
  std::shared_ptr<ProbeLog> log_;
  int rendezvous_;
  bool wait_for_stop_;
};

}  // namespace oxydra::runtime::testing
