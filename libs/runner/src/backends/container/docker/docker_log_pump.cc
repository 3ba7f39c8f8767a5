#include "backends/container/docker/docker_log_pump.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "oxydra/sys/io.h"

namespace oxydra::runner {

void DockerLogPump::finish() {
  if (!thread_.joinable()) return;
  *cancel_ = true;
  thread_.join();
}

void DockerLogPump::start(const DockerApi& api, const std::string& id, const std::string& name,
                          GuestRole role, GuestOutput& output) {
  finish();
  cancel_ = std::make_unique<std::atomic<bool>>(false);
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    spdlog::warn("{}: no log capture: pipe: {}", name, std::strerror(errno));
    return;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    spdlog::warn("{}: no log capture: pipe: {}", name, std::strerror(errno));
    ::close(out[0]);
    ::close(out[1]);
    return;
  }
  output.attach(role, GuestStream::stdout_stream, sys::UniqueFd(out[0]));
  output.attach(role, GuestStream::stderr_stream, sys::UniqueFd(err[0]));
  thread_ = std::thread([api, id, name, cancel = cancel_.get(), out_fd = sys::UniqueFd(out[1]),
                         err_fd = sys::UniqueFd(err[1])]() {
    DockerStreamDemuxer demux([&](int stream, std::string_view payload) {
      sys::write_all(stream == 2 ? err_fd.get() : out_fd.get(), payload);
    });
    auto streamed = api.stream(
        "/containers/" + id + "/logs?follow=1&stdout=1&stderr=1",
        [&](std::string_view bytes) { demux.feed(bytes); }, *cancel);
    if (!streamed) spdlog::warn("{}: log stream ended: {}", name, streamed.error().message);
  });
}

}  // namespace oxydra::runner
