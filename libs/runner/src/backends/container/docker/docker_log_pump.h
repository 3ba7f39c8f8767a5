#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "backends/container/docker/docker_api.h"
#include "oxydra/runner/backend.h"

namespace oxydra::runner {

// Follows one container's log stream (GET /containers/<id>/logs?follow=1) on
// a thread of its own and writes its stdout and stderr into pipes whose read
// ends go to the runner's GuestOutput, like any other guest's output.
class DockerLogPump {
 public:
  DockerLogPump() = default;
  DockerLogPump(DockerLogPump&&) = default;
  DockerLogPump& operator=(DockerLogPump&&) = default;
  ~DockerLogPump() { finish(); }

  // Starts following `id`; on failure to make the pipes, warns and captures nothing.
  void start(const DockerApi& api, const std::string& id, const std::string& name, GuestRole role,
             GuestOutput& output);
  // Stops following and joins the thread.
  void finish();

 private:
  std::unique_ptr<std::atomic<bool>> cancel_ = std::make_unique<std::atomic<bool>>(false);
  std::thread thread_;
};

}  // namespace oxydra::runner
