// agent_stats through the real control server: the runner asks oxydra-vm's
// gateway for its counters. Here a scripted gateway answers, well or badly.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "daemon/control_server.h"
#include "fake_control_handler.h"
#include "oxydra/testlib/frame_client.h"
#include "oxydra/testlib/temp_dir.h"
#include "oxydra/types/gateway_messages.h"

namespace oxydra::runner {
namespace {

using namespace std::chrono_literals;

// Accepts one connection, reads one frame, answers `reply` (raw bytes; none:
// keeps the connection open without a word), then closes.
class ScriptedGateway {
 public:
  ScriptedGateway(const std::string& path, std::optional<std::string> reply) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 4) != 0) {
      throw std::runtime_error("bind " + path + ": " + std::strerror(errno));
    }
    thread_ = std::thread([this, reply = std::move(reply)] {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      testlib::FrameClient peer(fd);
      if (auto request = peer.recv(5s)) asked_op = request->op;
      if (reply) {
        peer.send_raw(*reply);
      } else {
        peer.wait_closed(10s);
      }
    });
  }
  ~ScriptedGateway() {
    thread_.join();
    ::close(listener_);
  }
  std::string asked_op;

 private:
  int listener_ = -1;
  std::thread thread_;
};

class AgentStats : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.listen(dir_.file("control.sock")));
    loop_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    guard_.reset();
    asio::post(io_, [this] { server_.close(); });
    loop_.join();
  }
  nlohmann::json ask() {
    auto client = testlib::FrameClient::connect_unix(dir_.file("control.sock"));
    EXPECT_TRUE(client);
    if (!client) return nullptr;
    auto reply = client->request("agent_stats", {{"request_id", "s1"}}, 20s);
    EXPECT_TRUE(reply);
    if (!reply) return nullptr;
    EXPECT_EQ(reply->op, "agent_stats") << reply->payload.dump();
    return reply->payload;
  }

  testlib::TempDir dir_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  FakeControlHandler handler_;
  ControlServer server_{io_, handler_, [] {}};
  std::thread loop_;
};

TEST_F(AgentStats, PassesOnTheCountersOxydraVmReports) {
  gateway_rpc::AgentCounters counters;
  counters.turns = {{"completed", 2}};
  counters.shell_commands = 5;
  gateway_rpc::HealthReply health{"runner-stats", StartupStatusReport{}, "openai", "m", 9,
                                  counters};
  handler_.agent = dir_.file("gateway.sock");
  ScriptedGateway gateway(*handler_.agent,
                          encode_message(gateway_rpc::kOpHealth, gateway_rpc::to_json(health)));
  const auto payload = ask();
  EXPECT_EQ(payload["available"], true) << payload.dump();
  EXPECT_EQ(payload["user_id"], "alice");
  EXPECT_EQ(payload["agent_uptime_secs"], 9);
  EXPECT_EQ(payload["counters"]["turns"]["completed"], 2);
  EXPECT_EQ(payload["counters"]["shell_commands"], 5);
  EXPECT_TRUE(payload["reason"].is_null());
}

TEST_F(AgentStats, SaysWhyWhenOxydraVmIsNotRunningAnswersBadlyOrNotAtAll) {
  EXPECT_EQ(ask()["reason"], "oxydra-vm is not running");

  handler_.agent = dir_.file("gateway.sock");
  {
    nlohmann::json hostile = gateway_rpc::to_json(
        gateway_rpc::HealthReply{"x", StartupStatusReport{}, "p", "m", 1, std::nullopt});
    hostile["counters"] = {{"turns", {{"completed", "three"}}}};
    ScriptedGateway gateway(*handler_.agent, encode_message(gateway_rpc::kOpHealth, hostile));
    const auto payload = ask();
    EXPECT_EQ(payload["available"], false);
    EXPECT_NE(payload["reason"].get<std::string>().find("payload.counters.turns"),
              std::string::npos)
        << payload.dump();
    EXPECT_EQ(gateway.asked_op, "health");
  }
  ::unlink(handler_.agent->c_str());
  {
    ScriptedGateway gateway(*handler_.agent, std::nullopt);  // never answers
    const auto payload = ask();
    EXPECT_EQ(payload["available"], false);
    EXPECT_NE(payload["reason"].get<std::string>().find("no reply in time"), std::string::npos)
        << payload.dump();
  }
}

}  // namespace
}  // namespace oxydra::runner
