// Availability is explicit: every way of not reaching the daemon maps to its
// degraded reason code (protocol.md §3).
#include <gtest/gtest.h>

#include "oxydra/sandbox/browser_session.h"
#include "oxydra/sandbox/shell_backend.h"
#include "oxydra/types/startup_status.h"
#include "test_peer.h"

namespace oxydra::sandbox {
namespace {

using testing::BasicDaemon;
using testing::PeerConnection;
using testing::TempDir;
using testing::TestPeer;

DaemonClientOptions quick() {
  DaemonClientOptions options;
  options.connect.deadline = std::chrono::milliseconds(100);
  options.connect.initial_backoff = std::chrono::milliseconds(5);
  options.request_timeout = std::chrono::seconds(30);
  return options;
}

void expect_unavailable(ShellBackend& backend, std::string_view code) {
  const auto status = backend.status();
  EXPECT_FALSE(status.available);
  EXPECT_EQ(status.code, code) << status.detail;
  EXPECT_FALSE(status.detail.empty());
  // Sessions from an unavailable backend say why on every call.
  auto session = backend.new_session();
  EXPECT_EQ(session->status().code, code);
  auto spawned = session->spawn({});
  ASSERT_FALSE(spawned);
  EXPECT_EQ(to_string(spawned.error().code), code);
  auto result = session->exec(ExecOptions{.command = "true"});
  ASSERT_FALSE(result);
  EXPECT_EQ(to_string(result.error().code), code);
}

TEST(ShellBackendFactory, UnknownTransport) {
  auto backend = open_shell_backend(SidecarEndpoint{"tcp", "127.0.0.1:80"}, quick());
  expect_unavailable(*backend, degraded::kSidecarTransportUnsupported);
}

TEST(ShellBackendFactory, BlankOrMalformedAddress) {
  expect_unavailable(*open_shell_backend(SidecarEndpoint{"unix", " "}, quick()),
                     degraded::kSidecarEndpointInvalid);
  expect_unavailable(*open_shell_backend(SidecarEndpoint{"vsock", "nope"}, quick()),
                     degraded::kSidecarEndpointInvalid);
}

TEST(ShellBackendFactory, AbsentEndpoint) {
  expect_unavailable(*open_shell_backend(std::optional<ChannelEndpoint>{}, quick()),
                     degraded::kSidecarUnavailable);
}

TEST(ShellBackendFactory, MissingSocketFailsToConnect) {
  TempDir dir;
  const std::string path = dir.file("shell.sock");
  auto backend = open_shell_backend(SidecarEndpoint{"unix", path}, quick());
  expect_unavailable(*backend, degraded::kSidecarConnectionFailed);
  EXPECT_NE(backend->status().detail.find("connect " + path + ": No such file or directory"),
            std::string::npos)
      << backend->status().detail;
}

// No guest listens here (and the kernel may lack vsock): a connection failure
// naming the vsock address, whatever the errno.
TEST(ShellBackendFactory, VsockWithoutAListenerFailsToConnect) {
  auto backend = open_shell_backend(SidecarEndpoint{"vsock", "3:1"}, quick());
  expect_unavailable(*backend, degraded::kSidecarConnectionFailed);
  EXPECT_NE(backend->status().detail.find("connect vsock 3:1"), std::string::npos)
      << backend->status().detail;
}

TEST(ShellBackendFactory, VirtioSerialIsAPlainStream) {
  TempDir dir;
  TestPeer peer(dir.file("serial.sock"),
                [](PeerConnection& conn, int) { BasicDaemon{}.serve(conn); });
  auto backend =
      open_shell_backend(SidecarEndpoint{"virtio_serial", dir.file("serial.sock")}, quick());
  ASSERT_TRUE(backend->status().available) << backend->status().detail;
}

TEST(ShellBackendFactory, HelloAnsweredWithAnErrorIsAProtocolError) {
  TempDir dir;
  TestPeer peer(dir.file("shell.sock"), [](PeerConnection& conn, int) {
    auto hello = conn.read_message();
    conn.write_message("error", error_payload(hello->payload.value("request_id", ""),
                                              ErrorCode::unknown_op, "no hello here"));
  });
  auto backend = open_shell_backend(SidecarEndpoint{"unix", dir.file("shell.sock")}, quick());
  expect_unavailable(*backend, degraded::kSidecarProtocolError);
  EXPECT_NE(backend->status().detail.find("no hello here"), std::string::npos);
}

TEST(ShellBackendFactory, WrongProtocolVersionIsAProtocolError) {
  TempDir dir;
  TestPeer peer(dir.file("shell.sock"), [](PeerConnection& conn, int) {
    BasicDaemon daemon;
    daemon.protocol_version = 2;
    daemon.serve(conn);
  });
  auto backend = open_shell_backend(SidecarEndpoint{"unix", dir.file("shell.sock")}, quick());
  expect_unavailable(*backend, degraded::kSidecarProtocolError);
  EXPECT_NE(backend->status().detail.find("protocol_version 2"), std::string::npos);
}

TEST(ShellBackendFactory, PeerClosingBeforeHelloIsAProtocolError) {
  TempDir dir;
  TestPeer peer(dir.file("shell.sock"), [](PeerConnection&, int) {});
  auto backend = open_shell_backend(SidecarEndpoint{"unix", dir.file("shell.sock")}, quick());
  expect_unavailable(*backend, degraded::kSidecarProtocolError);
}

TEST(ShellBackendFactory, LocalBackendSaysItIsUnisolated) {
  auto backend = local_shell_backend();
  EXPECT_TRUE(backend->status().available);
  EXPECT_EQ(backend->status().code, degraded::kInsecureProcessTier);
}

TEST(BrowserSession, ReportsUnavailableWithAReason) {
  auto browser = make_browser_session();
  EXPECT_FALSE(browser->status().available);
  EXPECT_EQ(browser->status().code, to_string(ErrorCode::browser_unavailable));
  auto page = browser->navigate("https://example.org");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::browser_unavailable);
}

}  // namespace
}  // namespace oxydra::sandbox
