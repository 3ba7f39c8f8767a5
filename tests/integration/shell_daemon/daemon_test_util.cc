#include "daemon_test_util.h"

#include <sys/wait.h>

#include <atomic>
#include <iostream>

namespace oxydra::shell_daemon_test {

std::string next_id() {
  static std::atomic<int> n{0};
  return "r-" + std::to_string(++n);
}

void DaemonTest::start(std::vector<std::string> args) {
  client_.reset();
  daemon_ = std::make_unique<testlib::ShellDaemonProcess>(std::move(args));
  ASSERT_TRUE(daemon_->started()) << daemon_->log();
  client_.emplace(connect());
}

FrameClient DaemonTest::connect() {
  auto c = daemon_->connect();
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
  if (!c) return FrameClient(-1);
  return std::move(*c);
}

void DaemonTest::TearDown() {
  client_.reset();
  if (daemon_ && daemon_->process().running()) {
    auto status = daemon_->stop();
    EXPECT_TRUE(status.has_value()) << "daemon did not exit on SIGTERM";
    // Non-zero also when a sanitizer found an error or a leak at exit.
    if (status) {
      EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
    }
    if (HasFailure()) std::cerr << "--- daemon log ---\n" << daemon_->log() << "\n";
  }
}

std::string spawn_session(FrameClient& c, json extra) {
  extra["request_id"] = next_id();
  auto reply = c.request("spawn_session", extra);
  EXPECT_TRUE(reply) << "no reply to spawn_session";
  if (!reply) return {};
  EXPECT_EQ(reply->op, "spawn_session") << reply->payload.dump();
  return reply->payload.value("session_id", "");
}

json exec(FrameClient& c, const std::string& session, const std::string& command, json extra) {
  extra["request_id"] = next_id();
  extra["session_id"] = session;
  extra["command"] = command;
  auto reply = c.request("exec_command", extra, 120s);
  EXPECT_TRUE(reply) << "no reply to exec_command: " << command;
  if (!reply) return json::object();
  EXPECT_EQ(reply->op, "exec_command") << reply->payload.dump();
  return reply->payload;
}

Pulled pull(FrameClient& c, const std::string& session, std::optional<std::uint64_t> max_bytes) {
  Pulled pulled;
  for (int i = 0; i < 100000; ++i) {
    json request = {{"request_id", next_id()}, {"session_id", session}};
    if (max_bytes) request["max_bytes"] = *max_bytes;
    auto reply = c.request("stream_output", request);
    EXPECT_TRUE(reply && reply->op == "stream_output") << (reply ? reply->payload.dump() : "none");
    if (!reply || reply->op != "stream_output") break;
    const auto& p = reply->payload;
    (p["stream"] == "stderr" ? pulled.err : pulled.out) += p["data"].get<std::string>();
    ++pulled.chunks;
    if (p["eof"].get<bool>()) break;
  }
  return pulled;
}

json collect_stream(FrameClient& c, const std::string& request_id, Pulled& data,
                    std::chrono::milliseconds timeout) {
  for (;;) {
    auto m = c.recv(timeout);
    EXPECT_TRUE(m) << "no exec_command reply for " << request_id;
    if (!m) return json::object();
    if (request_id_of(m->payload) != request_id) continue;
    if (m->op == "output") {
      (m->payload["stream"] == "stderr" ? data.err : data.out) +=
          m->payload["data"].get<std::string>();
      ++data.chunks;
      continue;
    }
    EXPECT_EQ(m->op, "exec_command") << m->payload.dump();
    return m->payload;
  }
}

std::optional<json> first_output(FrameClient& c, const std::string& request_id) {
  for (;;) {
    auto m = c.recv(60s);
    if (!m) return std::nullopt;
    if (m->op == "output" && request_id_of(m->payload) == request_id) return m->payload;
  }
}

std::vector<testlib::ProcInfo> survivors_in_group(pid_t pgid) {
  return testlib::wait_until_none([pgid](const testlib::ProcInfo& p) { return p.pgid == pgid; });
}

}  // namespace oxydra::shell_daemon_test
