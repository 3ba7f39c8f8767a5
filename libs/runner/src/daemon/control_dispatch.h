#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "oxydra/types/control_messages.h"
#include "oxydra/types/error.h"
#include "oxydra/types/message.h"

namespace oxydra::runner {

// What the runner daemon answers on its control socket (protocol.md §5).
class ControlHandler {
 public:
  virtual ~ControlHandler() = default;
  virtual const std::string& user_id() const = 0;
  virtual nlohmann::json health(const std::string& request_id) = 0;
  // Whether the guests were already stopped (or stopping) before this request.
  virtual bool already_stopping() const = 0;
  virtual Result<control_rpc::LogsReply> logs(const control_rpc::LogsRequest& request,
                                              bool& truncated) = 0;
  // oxydra-vm's gateway socket while oxydra-vm runs (for agent_stats).
  virtual std::optional<std::string> agent_socket() const = 0;
};

struct ControlReply {
  std::string frame;            // one encoded message
  bool shutdown_after = false;  // begin the shutdown once the reply is written
};

// Pure: one request in, one reply out. Errors use invalid_request,
// unknown_user, unknown_op, internal. A logs reply carries "truncated": true
// when entries were left out to fit the 1 MiB response limit.
ControlReply dispatch(ControlHandler& handler, const Message& request);

// A reply frame; invalid UTF-8 in strings is replaced, never thrown on.
std::string encode_reply(std::string_view op, const nlohmann::json& payload);

// An `error` reply frame.
std::string error_frame(const std::optional<std::string>& request_id, ErrorCode code,
                        std::string_view message);

}  // namespace oxydra::runner
