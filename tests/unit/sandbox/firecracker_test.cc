// The firecracker_vsock handshake against a peer that speaks Firecracker's
// documented host-side protocol (CONNECT <port>\n -> OK <host_port>\n).
#include <gtest/gtest.h>

#include <thread>

#include "oxydra/sandbox/connect.h"
#include "oxydra/sandbox/shell_backend.h"
#include "oxydra/types/startup_status.h"
#include "test_peer.h"

namespace oxydra::sandbox {
namespace {

using testing::BasicDaemon;
using testing::PeerConnection;
using testing::TempDir;
using testing::TestPeer;

DaemonClientOptions quick(std::chrono::milliseconds deadline) {
  DaemonClientOptions options;
  options.connect.deadline = deadline;
  options.connect.initial_backoff = std::chrono::milliseconds(5);
  options.connect.max_backoff = std::chrono::milliseconds(50);
  options.request_timeout = std::chrono::seconds(30);
  return options;
}

TEST(FirecrackerAck, ParsesOkLines) {
  EXPECT_EQ(firecracker_connect_line(52), "CONNECT 52\n");
  auto ok = parse_firecracker_ack("OK 1073741824");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 1073741824u);
  for (const char* bad :
       {"", "OK", "OK ", "ok 5", "OK 5 ", "OK -1", "OK x", "HTTP/1.1 400", "OK 99999999999"}) {
    auto parsed = parse_firecracker_ack(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::sidecar_protocol_error);
  }
}

// The guest boots: first Firecracker's socket is absent, then it accepts but
// closes (nobody listens on the port yet), then it answers OK and the daemon
// speaks frames.
TEST(FirecrackerHandshake, RetriesUntilTheGuestListensThenSpeaksFrames) {
  TempDir dir;
  const std::string socket = dir.file("v.sock");
  std::vector<std::string> requests;
  std::mutex mu;
  std::unique_ptr<TestPeer> peer;
  std::thread booting([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    peer = std::make_unique<TestPeer>(socket, [&](PeerConnection& conn, int index) {
      auto line = conn.read_line();
      {
        std::lock_guard lock(mu);
        requests.push_back(line.value_or("<eof>"));
      }
      if (index < 3) return;  // not listening yet: Firecracker closes the connection
      conn.write_raw("OK 1073741824\n");
      BasicDaemon{}.serve(conn);
    });
  });

  auto backend = open_shell_backend(SidecarEndpoint{"firecracker_vsock", socket + ":52"},
                                    quick(std::chrono::seconds(60)));
  booting.join();
  ASSERT_TRUE(backend->status().available) << backend->status().detail;
  auto session = backend->new_session();
  ASSERT_TRUE(session->spawn({}));
  auto result = session->exec(ExecOptions{.command = "echo hi"});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->exit_code, 0);
  session.reset();
  backend.reset();
  peer->stop();
  EXPECT_EQ(peer->connections(), 4);
  for (const auto& request : requests)
    EXPECT_EQ(request, "CONNECT 52");
}

TEST(FirecrackerHandshake, GarbageAnswerIsAProtocolError) {
  TempDir dir;
  TestPeer peer(dir.file("v.sock"), [](PeerConnection& conn, int) {
    conn.read_line();
    conn.write_raw("HTTP/1.1 400 Bad Request\r\n");
  });
  auto backend =
      open_shell_backend(SidecarEndpoint{"firecracker_vsock", dir.file("v.sock") + ":52"},
                         quick(std::chrono::milliseconds(300)));
  const auto status = backend->status();
  EXPECT_FALSE(status.available);
  EXPECT_EQ(status.code, degraded::kSidecarProtocolError);
  EXPECT_NE(status.detail.find("HTTP/1.1 400"), std::string::npos) << status.detail;
  EXPECT_GE(peer.connections(), 1);
}

TEST(FirecrackerHandshake, GuestNeverListeningExhaustsTheDeadline) {
  TempDir dir;
  TestPeer peer(dir.file("v.sock"), [](PeerConnection& conn, int) { conn.read_line(); });
  auto backend =
      open_shell_backend(SidecarEndpoint{"firecracker_vsock", dir.file("v.sock") + ":52"},
                         quick(std::chrono::milliseconds(300)));
  const auto status = backend->status();
  EXPECT_FALSE(status.available);
  EXPECT_EQ(status.code, degraded::kSidecarConnectionFailed);
  EXPECT_NE(status.detail.find("closed before answering OK"), std::string::npos) << status.detail;
  EXPECT_NE(status.detail.find("gave up after"), std::string::npos) << status.detail;
}

TEST(FirecrackerHandshake, AbsentSocketExhaustsTheDeadline) {
  TempDir dir;
  auto backend =
      open_shell_backend(SidecarEndpoint{"firecracker_vsock", dir.file("absent.sock") + ":52"},
                         quick(std::chrono::milliseconds(100)));
  EXPECT_EQ(backend->status().code, degraded::kSidecarConnectionFailed);
  EXPECT_NE(backend->status().detail.find("connect " + dir.file("absent.sock")), std::string::npos)
      << backend->status().detail;
}

// The stream after OK belongs to the guest: bytes that follow the line in the
// same write must reach the frame reader, not be eaten by the handshake.
TEST(FirecrackerHandshake, BytesAfterTheOkLineBelongToTheStream) {
  TempDir dir;
  TestPeer peer(dir.file("v.sock"), [](PeerConnection& conn, int) {
    conn.read_line();
    auto hello = std::string("OK 7\n");
    conn.write_raw(
        hello + encode_message("error", error_payload(std::nullopt, ErrorCode::internal, "early")));
    BasicDaemon{}.serve(conn);
  });
  auto parsed = parse_endpoint(SidecarEndpoint{"firecracker_vsock", dir.file("v.sock") + ":52"});
  ASSERT_TRUE(parsed);
  auto client = DaemonClient::connect(*parsed, quick(std::chrono::seconds(10)));
  ASSERT_TRUE(client) << client.error().message;
  EXPECT_EQ((*client)->hello().server, "test-peer");
}

}  // namespace
}  // namespace oxydra::sandbox
