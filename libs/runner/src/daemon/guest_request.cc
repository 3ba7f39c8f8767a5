#include "daemon/guest_request.h"

#include "daemon/no_throw.h"
#include "oxydra/types/frame.h"

namespace oxydra::runner {

namespace {

using asio::local::stream_protocol;
constexpr std::size_t kMaxReply = 8u << 20;

}  // namespace

asio::awaitable<Result<Message>> request_guest(const std::string& socket_path, std::string_view op,
                                               const nlohmann::json& payload,
                                               std::chrono::steady_clock::time_point deadline) {
  auto executor = co_await asio::this_coro::executor;
  stream_protocol::socket socket(executor);
  auto [connect_ec] = co_await socket.async_connect(stream_protocol::endpoint(socket_path), kTuple);
  if (connect_ec) co_return fail(ErrorCode::not_ready, connect_ec.message());

  asio::steady_timer watchdog(executor, deadline);
  watchdog.async_wait([&socket](const std::error_code& ec) {
    if (!ec) socket.close();
  });
  const std::string request = encode_message(op, payload);
  auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(request), kTuple);
  if (write_ec) co_return fail(ErrorCode::not_ready, write_ec.message());

  FrameDecoder decoder(kMaxReply);
  char buffer[4096];
  for (;;) {
    if (auto event = decoder.next()) {
      watchdog.cancel();
      if (event->kind != FrameEvent::Kind::frame)
        co_return fail(ErrorCode::not_ready, "bad reply frame");
      auto message = parse_message(event->payload);
      if (!message) co_return fail(ErrorCode::not_ready, message.error().message);
      co_return std::move(*message);
    }
    auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(buffer), kTuple);
    if (read_ec) {
      co_return fail(ErrorCode::not_ready, read_ec == asio::error::operation_aborted
                                               ? std::string("no reply in time")
                                               : read_ec.message());
    }
    decoder.feed(std::string_view(buffer, n));
  }
}

}  // namespace oxydra::runner
