// Feeds arbitrary bytes, split at fuzzer-chosen points, through the frame
// decoder and then every message parser a server applies to a frame.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oxydra/types/control_messages.h"
#include "oxydra/types/envelope.h"
#include "oxydra/types/frame.h"
#include "oxydra/types/gateway_messages.h"
#include "oxydra/types/message.h"
#include "oxydra/types/shell_messages.h"

namespace {

// Every payload parser a server or client applies; none may crash on any input.
void parse_all(const nlohmann::json& p) {
  using namespace oxydra;
  (void)shell_rpc::parse_hello_request(p);
  (void)shell_rpc::parse_hello_reply(p);
  (void)shell_rpc::parse_spawn_session_request(p);
  (void)shell_rpc::parse_exec_command_request(p);
  (void)shell_rpc::parse_exec_command_reply(p);
  (void)shell_rpc::parse_stream_output_request(p);
  (void)shell_rpc::parse_stream_output_reply(p);
  (void)shell_rpc::parse_output_event(p);
  (void)shell_rpc::parse_cancel_request(p);
  (void)shell_rpc::parse_kill_session_request(p);
  (void)shell_rpc::parse_list_sessions_reply(p);
  (void)control_rpc::parse_health_status(p);
  (void)control_rpc::parse_logs_request(p);
  (void)control_rpc::parse_logs_reply(p);
  (void)gateway_rpc::parse_send_message_request(p);
  (void)gateway_rpc::parse_turn_event(p);
  (void)gateway_rpc::parse_turn_complete(p);
  (void)gateway_rpc::parse_health_reply(p);
  (void)parse_bootstrap_envelope(p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte picks the split stride so chunking is explored too.
  const std::size_t stride = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  oxydra::FrameDecoder decoder(4096);
  while (!input.empty()) {
    const std::size_t n = std::min(stride, input.size());
    decoder.feed(input.substr(0, n));
    input.remove_prefix(n);
    while (auto event = decoder.next()) {
      if (event->kind == oxydra::FrameEvent::Kind::too_large) {
        if (event->announced <= decoder.max_frame_bytes()) __builtin_trap();
        continue;
      }
      if (event->kind != oxydra::FrameEvent::Kind::frame) continue;
      if (event->payload.size() > decoder.max_frame_bytes()) __builtin_trap();
      auto message = oxydra::parse_message(event->payload);
      if (!message) continue;
      (void)oxydra::request_id_of(message->payload);
      parse_all(message->payload);
      // Re-encoding must produce a frame the decoder accepts back.
      const std::string again = oxydra::serialize_message(message->op, message->payload);
      auto reparsed = oxydra::parse_message(again);
      if (!reparsed || reparsed->op != message->op) __builtin_trap();
    }
  }
  if (decoder.pending_bytes() > decoder.max_frame_bytes() + oxydra::kFramePrefixBytes) {
    __builtin_trap();
  }
  return 0;
}
