#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/user_context.h"
#include "oxydra/sys/unique_fd.h"
#include "oxydra/types/error.h"
#include "oxydra/types/message.h"

namespace oxydra::runner {

// A blocking client of a runner's control socket, for the operator commands.
class ControlClient {
 public:
  // Connects to the user's runner. Error codes: "not_running" (no runner holds
  // the user's lock), "not_answering" (one does, but its socket does not answer).
  static Result<ControlClient> connect(const Selection& selection,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // One request and its reply (an `error` reply becomes an Error with its code).
  Result<Message> call(std::string_view op, nlohmann::json payload,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Waits until the server closes the connection (the runner has exited).
  bool wait_closed(std::chrono::milliseconds timeout);

 private:
  explicit ControlClient(sys::UniqueFd fd) : fd_(std::move(fd)) {}
  sys::UniqueFd fd_;
  std::uint64_t next_id_ = 0;
};

std::string control_socket_path(const WorkspaceLayout& layout);

}  // namespace oxydra::runner
