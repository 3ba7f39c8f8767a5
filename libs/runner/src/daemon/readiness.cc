#include "daemon/readiness.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "daemon/no_throw.h"
#include "oxydra/types/frame.h"
#include "oxydra/types/message.h"

namespace oxydra::runner {

namespace {

using asio::local::stream_protocol;
// A guest is usually up within tens of milliseconds: retry soon, then back off.
constexpr auto kFirstRetryDelay = std::chrono::milliseconds(1);
constexpr auto kMaxRetryDelay = std::chrono::milliseconds(50);
constexpr std::size_t kMaxReply = 8u << 20;

// One attempt: the reply's op, or an error text.
asio::awaitable<Result<std::string>> attempt(const ReadinessProbe& probe) {
  auto executor = co_await asio::this_coro::executor;
  stream_protocol::socket socket(executor);
  auto [connect_ec] =
      co_await socket.async_connect(stream_protocol::endpoint(probe.socket_path), kTuple);
  if (connect_ec) co_return fail(ErrorCode::not_ready, connect_ec.message());

  // The whole exchange is bounded by the deadline: a guest that accepts but
  // never answers must not hang the start.
  asio::steady_timer watchdog(executor, probe.deadline);
  watchdog.async_wait([&socket](const std::error_code& ec) {
    if (!ec) socket.close();
  });
  const nlohmann::json payload{
      {"request_id", "runner-ready"}, {"protocol_version", 1}, {"client", "oxydra-runner"}};
  const std::string request = encode_message(probe.op, payload);
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
      if (message->op == "error") {
        co_return fail(ErrorCode::not_ready,
                       "error reply: " + message->payload.value("message", ""));
      }
      co_return message->op;
    }
    auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(buffer), kTuple);
    if (read_ec) co_return fail(ErrorCode::not_ready, read_ec.message());
    decoder.feed(std::string_view(buffer, n));
  }
}

}  // namespace

asio::awaitable<Result<void>> wait_until_ready(ReadinessProbe probe) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  std::string last = "no attempt";
  auto delay = kFirstRetryDelay;
  while (std::chrono::steady_clock::now() < probe.deadline) {
    if (auto reason = probe.gone ? probe.gone() : std::nullopt) {
      co_return fail(ErrorCode::guest_exited, *reason);
    }
    auto reply = co_await attempt(probe);
    if (reply && *reply == probe.op) co_return Result<void>{};
    last = reply ? "unexpected reply " + *reply : reply.error().message;
    timer.expires_after(delay);
    delay = std::min(delay * 2, kMaxRetryDelay);
    co_await timer.async_wait(kTuple);
  }
  co_return fail(ErrorCode::not_ready, probe.what + " did not answer `" + probe.op + "` on " +
                                           probe.socket_path + " in time (last attempt: " + last +
                                           ")");
}

}  // namespace oxydra::runner
