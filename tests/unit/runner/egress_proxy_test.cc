// The egress proxy over a real Unix socket, spoken to byte for byte as
// RFC 1928 says: what it answers to hostile or unsupported requests, and that
// an allowed connection really relays.

#include "daemon/egress_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return -1;
  return fd;
}

std::string exchange(int fd, const std::string& bytes, std::size_t want) {
  if (!bytes.empty() &&
      ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size()))
    return "write failed";
  std::string got;
  char buffer[64];
  while (got.size() < want) {
    const ssize_t n = ::read(fd, buffer, std::min(sizeof buffer, want - got.size()));
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

std::string ipv4_request(const char* ip, int port, char command = 1) {
  in_addr address{};
  ::inet_pton(AF_INET, ip, &address);
  std::string out = {5, command, 0, 1};
  out.append(reinterpret_cast<const char*>(&address), 4);
  out += static_cast<char>(port >> 8);
  out += static_cast<char>(port & 0xff);
  return out;
}

class EgressProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A loopback service to allow.
    service_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ASSERT_EQ(::bind(service_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(service_, 4), 0);
    ::getsockname(service_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);

    auto proxy = EgressProxy::open(io_, dir_.file("egress.sock"), ::geteuid(),
                                   {"127.0.0.1:" + std::to_string(port_)});
    ASSERT_TRUE(proxy) << proxy.error().message;
    proxy_ = std::move(*proxy);
    loop_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    guard_.reset();
    asio::post(io_, [this] { proxy_.reset(); });
    io_.stop();
    if (loop_.joinable()) loop_.join();
    ::close(service_);
  }
  int client() { return connect_unix(dir_.file("egress.sock")); }

  testlib::TempDir dir_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  std::unique_ptr<EgressProxy> proxy_;
  std::thread loop_;
  int service_ = -1;
  int port_ = 0;
};

TEST_F(EgressProxyTest, RelaysToAnAllowedServiceAndRefusesTheHost) {
  int fd = client();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(exchange(fd, std::string("\x05\x01\x00", 3), 2), std::string("\x05\x00", 2));
  const std::string reply = exchange(fd, ipv4_request("127.0.0.1", port_), 10);
  ASSERT_EQ(reply.size(), 10u);
  EXPECT_EQ(reply[1], 0);
  const int accepted = ::accept(service_, nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  ASSERT_EQ(::write(accepted, "pong", 4), 4);
  EXPECT_EQ(exchange(fd, "", 4), "pong");
  ::close(accepted);
  ::close(fd);

  // Another port of the same loopback, a name that resolves to loopback, metadata.
  const std::string by_name = std::string("\x05\x01\x00\x03\x09localhost\x00\x16", 16);
  for (const std::string& request : {ipv4_request("127.0.0.1", port_ + 1 == 65536 ? 1 : port_ + 1),
                                     by_name, ipv4_request("169.254.169.254", 80)}) {
    fd = client();
    ASSERT_GE(fd, 0);
    exchange(fd, std::string("\x05\x01\x00", 3), 2);
    const std::string refused = exchange(fd, request, 10);
    ASSERT_GE(refused.size(), 2u);
    EXPECT_EQ(refused[1], 2) << "expected 'not allowed by ruleset'";
    ::close(fd);
  }
}

TEST_F(EgressProxyTest, RefusesWhatItDoesNotSupport) {
  // No acceptable authentication method offered.
  int fd = client();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(exchange(fd, std::string("\x05\x01\x02", 3), 2), std::string("\x05\xff", 2));
  ::close(fd);
  // BIND: command not supported.
  fd = client();
  exchange(fd, std::string("\x05\x01\x00", 3), 2);
  EXPECT_EQ(exchange(fd, ipv4_request("127.0.0.1", port_, 2), 10)[1], 7);
  ::close(fd);
  // An unknown address type.
  fd = client();
  exchange(fd, std::string("\x05\x01\x00", 3), 2);
  EXPECT_EQ(exchange(fd, std::string("\x05\x01\x00\x09", 4), 10)[1], 8);
  ::close(fd);
  // Garbage instead of a greeting: closed without a reply.
  fd = client();
  EXPECT_EQ(exchange(fd, "GET / HTTP/1.1\r\n\r\n", 2), "");
  ::close(fd);
}

}  // namespace
}  // namespace oxydra::runner
