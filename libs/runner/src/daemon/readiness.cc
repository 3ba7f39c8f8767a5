#include "daemon/readiness.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "daemon/guest_request.h"
#include "daemon/no_throw.h"

namespace oxydra::runner {

namespace {

// A guest is usually up within tens of milliseconds: retry soon, then back off.
constexpr auto kFirstRetryDelay = std::chrono::milliseconds(1);
constexpr auto kMaxRetryDelay = std::chrono::milliseconds(50);

// One attempt: the reply's op, or an error text.
asio::awaitable<Result<std::string>> attempt(const ReadinessProbe& probe) {
  const nlohmann::json payload{
      {"request_id", "runner-ready"}, {"protocol_version", 1}, {"client", "oxydra-runner"}};
  auto reply = co_await request_guest(probe.socket_path, probe.op, payload, probe.deadline);
  if (!reply) co_return tl::unexpected(reply.error());
  if (reply->op == "error") {
    const auto message = reply->payload.find("message");
    const bool text = message != reply->payload.end() && message->is_string();
    co_return fail(ErrorCode::not_ready,
                   "error reply: " + (text ? message->get<std::string>() : std::string("?")));
  }
  co_return reply->op;
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
