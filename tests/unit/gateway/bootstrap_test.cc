#include "oxydra/gateway/bootstrap.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "oxydra/testlib/temp_dir.h"
#include "oxydra/types/frame.h"

namespace oxydra::gateway {
namespace {

constexpr const char* kBootstrapSecret = "sk-test-bootstrap-0123456789";

nlohmann::json envelope_json() {
  auto j = nlohmann::json::parse(R"({
    "protocol_version": 1, "user_id": "alice", "sandbox_tier": "container",
    "workspace_root": "/workspace",
    "sidecar_endpoint": {"transport": "unix", "address": "/workspace/ipc/shell.sock"},
    "credentials": {},
    "agent_config": {"provider": "p", "providers": {"p": {"base_url": "http://127.0.0.1:1/v1",
                     "model": "m", "credential": "openai"}}},
    "gateway": {"transport": "unix", "address": "/workspace/ipc/gateway.sock"},
    "startup_status": {"sandbox_tier": "container", "sidecar_available": true,
                       "shell_available": true}
  })");
  j["credentials"]["openai"] = kBootstrapSecret;
  return j;
}

// Sends `bytes` on one end of a socketpair and reads the envelope from the other.
Result<BootstrapEnvelope> read_sent(const std::string& bytes) {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  std::thread writer([&] {
    (void)!::write(fds[0], bytes.data(), bytes.size());
    ::close(fds[0]);
  });
  BootstrapInput input;
  input.kind = BootstrapInput::Kind::fd;
  input.fd = fds[1];
  input.timeout = std::chrono::seconds(10);
  auto result = read_bootstrap(input);
  writer.join();
  EXPECT_EQ(::fcntl(fds[1], F_GETFD), -1) << "the bootstrap fd is closed after reading";
  return result;
}

TEST(Bootstrap, ReadsOneFrameFromAnInheritedSocket) {
  auto envelope = read_sent(encode_frame(envelope_json().dump()));
  ASSERT_TRUE(envelope) << envelope.error().message;
  EXPECT_EQ(envelope->user_id, "alice");
  EXPECT_EQ(envelope->credentials.at("openai"), kBootstrapSecret);
}

TEST(Bootstrap, RefusesABrokenEnvelopeWithOneLine) {
  auto j = envelope_json();
  j["sidecar_endpoint"]["address"] = " ";
  auto envelope = read_sent(encode_frame(j.dump()));
  ASSERT_FALSE(envelope);
  EXPECT_EQ(envelope.error().code, ErrorCode::invalid_envelope);
  EXPECT_EQ(envelope.error().message, "sidecar_endpoint.address: must not be blank");
}

TEST(Bootstrap, RefusesAnOversizedFrameWithoutReadingIt) {
  auto envelope = read_sent(std::string("\x00\x20\x00\x01", 4));  // 2 MiB + 1
  ASSERT_FALSE(envelope);
  EXPECT_EQ(envelope.error().code, ErrorCode::invalid_envelope);
  EXPECT_NE(envelope.error().message.find("exceeds the limit of 1048576"), std::string::npos);
}

TEST(Bootstrap, RefusesEmptyTruncatedAndNonJsonFrames) {
  auto empty = read_sent(std::string("\0\0\0\0", 4));
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_envelope);
  auto truncated = read_sent(encode_frame(envelope_json().dump()).substr(0, 20));
  EXPECT_EQ(truncated.error().code, ErrorCode::bootstrap_failed);
  EXPECT_NE(truncated.error().message.find("stream ended after 16 of"), std::string::npos);
  auto not_json = read_sent(encode_frame("{nope"));
  EXPECT_EQ(not_json.error().code, ErrorCode::invalid_envelope);
  EXPECT_EQ(not_json.error().message, "envelope: not valid JSON");
}

TEST(Bootstrap, NoMessageContainsTheSecret) {
  auto j = envelope_json();
  j["startup_status"]["sandbox_tier"] = "process";
  auto envelope = read_sent(encode_frame(j.dump()));
  ASSERT_FALSE(envelope);
  EXPECT_EQ(envelope.error().message.find(kBootstrapSecret), std::string::npos);
}

TEST(Bootstrap, RefusesAClosedDescriptor) {
  BootstrapInput input;
  input.kind = BootstrapInput::Kind::fd;
  input.fd = 987;
  auto envelope = read_bootstrap(input);
  ASSERT_FALSE(envelope);
  EXPECT_EQ(envelope.error().code, ErrorCode::bootstrap_failed);
}

TEST(Bootstrap, ConnectsToTheRunnersSocket) {
  testlib::TempDir dir("oxy-bs");
  const std::string path = dir.file("boot.sock");
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof(addr.sun_path));
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  std::thread runner([&] {
    int peer = ::accept(listener, nullptr, nullptr);
    const std::string frame = encode_frame(envelope_json().dump());
    (void)!::write(peer, frame.data(), frame.size());
    ::close(peer);
  });
  BootstrapInput input;
  input.kind = BootstrapInput::Kind::unix_socket;
  input.socket_path = path;
  auto envelope = read_bootstrap(input);
  runner.join();
  ::close(listener);
  ASSERT_TRUE(envelope) << envelope.error().message;
  EXPECT_EQ(envelope->user_id, "alice");
}

}  // namespace
}  // namespace oxydra::gateway
