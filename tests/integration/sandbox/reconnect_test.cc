// The client's life around the daemon's: restarts, many threads, no daemon.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "daemon_process.h"
#include "oxydra/sandbox/daemon_shell_session.h"
#include "oxydra/sandbox/shell_backend.h"
#include "oxydra/testlib/eventually.h"
#include "oxydra/types/startup_status.h"

namespace oxydra::sandbox {
namespace {

using testing::DaemonProcess;
using testing::TempDir;

std::shared_ptr<DaemonClient> connect_client(const std::string& socket) {
  auto endpoint = parse_endpoint(testing::unix_endpoint(socket));
  if (!endpoint) return nullptr;
  auto client = DaemonClient::connect(*endpoint, testing::test_client_options());
  EXPECT_TRUE(client) << client.error().message;
  return client ? *client : nullptr;
}

// The daemon dies with a command in flight and a new one takes its socket:
// the in-flight request fails cleanly, the client reconnects by itself, the
// old session is gone (it belonged to the dead daemon) and a new one works.
TEST(DaemonRestart, ClientReconnectsAndInFlightRequestFailsCleanly) {
  std::string binary;
  REQUIRE_SHELL_DAEMON(binary);
  TempDir dir;
  const std::string socket = dir.file("shell.sock");
  auto daemon = std::make_unique<DaemonProcess>(binary, socket);
  auto client = connect_client(socket);
  ASSERT_TRUE(client);
  DaemonShellSession session(client);
  ASSERT_TRUE(session.spawn({}));

  std::atomic<bool> started{false};
  Result<ExecResult> in_flight;
  std::thread runner([&] {
    in_flight = session.exec(ExecOptions{.command = "echo ready; sleep 5",
                                         .on_output = [&](const OutputChunk&) { started = true; }});
  });
  EXPECT_TRUE(testlib::eventually([&] { return started.load(); }, std::chrono::seconds(30)))
      << "started never became true";
  daemon->stop(SIGKILL);
  runner.join();
  ASSERT_FALSE(in_flight);
  EXPECT_EQ(in_flight.error().code, ErrorCode::connection_lost) << in_flight.error().message;

  daemon = std::make_unique<DaemonProcess>(binary, socket);
  auto stale = session.exec(ExecOptions{.command = "true"});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::unknown_session) << stale.error().message;
  EXPECT_EQ(client->connections(), 2u);

  ASSERT_TRUE(session.spawn({}));
  auto fresh = session.exec(ExecOptions{.command = "echo fresh"});
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->stdout_text, "fresh\n");
  EXPECT_TRUE(client->status().available);
}

// A graceful restart (SIGTERM) between commands: nothing is in flight, and the
// next call reconnects without the caller noticing anything but the new session.
TEST(DaemonRestart, IdleClientReconnectsAfterAGracefulRestart) {
  std::string binary;
  REQUIRE_SHELL_DAEMON(binary);
  TempDir dir;
  const std::string socket = dir.file("shell.sock");
  auto daemon = std::make_unique<DaemonProcess>(binary, socket);
  auto backend = open_shell_backend(testing::unix_endpoint(socket), testing::test_client_options());
  ASSERT_TRUE(backend->status().available) << backend->status().detail;
  auto first = backend->new_session();
  ASSERT_TRUE(first->spawn({}));
  ASSERT_TRUE(first->exec(ExecOptions{.command = "true"}));

  const int status = daemon->stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  daemon = std::make_unique<DaemonProcess>(binary, socket);

  auto second = backend->new_session();
  auto spawned = second->spawn({});
  ASSERT_TRUE(spawned) << spawned.error().message;
  auto result = second->exec(ExecOptions{.command = "echo back"});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->stdout_text, "back\n");
}

TEST(DaemonRestart, DaemonGoneForGoodMakesCallsFailAndStatusSaysWhy) {
  std::string binary;
  REQUIRE_SHELL_DAEMON(binary);
  TempDir dir;
  const std::string socket = dir.file("shell.sock");
  DaemonProcess daemon(binary, socket);
  ASSERT_TRUE(connect_client(socket));  // the daemon is up
  auto options = testing::test_client_options();
  options.connect.deadline = std::chrono::milliseconds(200);
  auto endpoint = parse_endpoint(testing::unix_endpoint(socket));
  ASSERT_TRUE(endpoint);
  auto client = DaemonClient::connect(*endpoint, options);
  ASSERT_TRUE(client) << client.error().message;
  DaemonShellSession session(*client);
  ASSERT_TRUE(session.spawn({}));

  daemon.stop(SIGKILL);
  ::unlink(socket.c_str());  // the sidecar is gone for good
  auto result = session.exec(ExecOptions{.command = "true"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::sidecar_connection_failed) << result.error().message;
  const auto status = (*client)->status();
  EXPECT_FALSE(status.available);
  EXPECT_EQ(status.code, degraded::kSidecarConnectionFailed);
  EXPECT_NE(status.detail.find(socket), std::string::npos) << status.detail;
}

TEST(DaemonConcurrency, ManyThreadsExecOnOneClient) {
  std::string binary;
  REQUIRE_SHELL_DAEMON(binary);
  TempDir dir;
  DaemonProcess daemon(binary, dir.file("shell.sock"));
  auto client = connect_client(daemon.socket());
  ASSERT_TRUE(client);
  constexpr int kThreads = 8;
  constexpr int kCommands = 10;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      DaemonShellSession session(client);
      auto spawned = session.spawn({});
      if (!spawned) {
        ADD_FAILURE() << spawned.error().message;
        return;
      }
      for (int i = 0; i < kCommands; ++i) {
        const std::string word = "t" + std::to_string(t) + "-" + std::to_string(i);
        // Staggered, so replies come back in a different order than requests went out.
        ExecOptions options{.command =
                                "sleep 0.0" + std::to_string((t + i) % 5) + "; echo " + word};
        if (i % 2 == 1) options.on_output = [](const OutputChunk&) {};
        auto result = session.exec(options);
        if (result && result->stdout_text == word + "\n") {
          ++ok;
        } else {
          ADD_FAILURE() << word << ": " << (result ? result->stdout_text : result.error().message);
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(ok.load(), kThreads * kCommands);
  EXPECT_EQ(client->connections(), 1u);
}

TEST(DaemonAvailability, MissingSocketIsUnavailable) {
  TempDir dir;
  auto options = testing::test_client_options();
  options.connect.deadline = std::chrono::milliseconds(200);
  auto backend = open_shell_backend(testing::unix_endpoint(dir.file("absent.sock")), options);
  EXPECT_FALSE(backend->status().available);
  EXPECT_EQ(backend->status().code, degraded::kSidecarConnectionFailed);
  auto session = backend->new_session();
  auto result = session->exec(ExecOptions{.command = "true"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::sidecar_connection_failed);
}

}  // namespace
}  // namespace oxydra::sandbox
