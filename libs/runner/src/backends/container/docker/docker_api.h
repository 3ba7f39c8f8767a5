#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "backends/container/docker/docker_replies.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// A minimal client of the Docker Engine API (v1.41) over its Unix socket.
// Every error message starts "docker: METHOD PATH: " and carries the daemon's
// own message, e.g. "docker: POST /containers/create: 404: No such image: x".

// The socket to use: `configured` ([container] docker_host, "unix://PATH"),
// else $DOCKER_HOST when it is unix://, else /var/run/docker.sock. A
// DOCKER_HOST of another scheme is an error (only Unix sockets are supported).
Result<std::string> docker_socket_path(const std::string& configured);

class DockerApi {
 public:
  explicit DockerApi(std::string socket_path) : socket_(std::move(socket_path)) {}

  const std::string& socket() const { return socket_; }

  // One request; any HTTP status is a success here. Fails only when the
  // daemon cannot be reached or does not answer within `timeout`.
  Result<DockerResponse> request(
      std::string_view method, std::string_view path, const nlohmann::json* body = nullptr,
      std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

  // request(), then the parsed body of a 2xx answer (null when empty), or an
  // error naming the call and the daemon's message.
  Result<nlohmann::json> call(std::string_view method, std::string_view path,
                              const nlohmann::json* body = nullptr,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

  // A long-running GET whose body is handed to `on_data` as it arrives, until
  // the daemon ends it or `cancel` becomes true (checked at least every second).
  Result<void> stream(std::string_view path, const std::function<void(std::string_view)>& on_data,
                      const std::atomic<bool>& cancel) const;

 private:
  std::string socket_;
};

}  // namespace oxydra::runner
