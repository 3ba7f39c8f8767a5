#pragma once

#include <string>

#include "daemon/control_dispatch.h"

namespace oxydra::runner {

// A ControlHandler for tests: health answers with the user id, logs with one
// entry, and the last logs request is kept.
class FakeControlHandler : public ControlHandler {
 public:
  const std::string& user_id() const override { return user_; }
  nlohmann::json health(const std::string& request_id) override {
    return {{"request_id", request_id}, {"user_id", user_}};
  }
  bool already_stopping() const override { return stopping; }
  Result<control_rpc::LogsReply> logs(const control_rpc::LogsRequest& request,
                                      bool& truncated) override {
    last_logs = request;
    truncated = false;
    control_rpc::LogsReply reply{request.request_id, {}};
    reply.entries.push_back({"2025-01-31T09:15:02.000000Z", "runtime", "stderr", "hello"});
    return reply;
  }
  std::optional<std::string> agent_socket() const override { return agent; }
  bool stopping = false;
  control_rpc::LogsRequest last_logs;
  std::optional<std::string> agent;  // a gateway socket to ask for agent_stats

 private:
  std::string user_ = "alice";
};

}  // namespace oxydra::runner
