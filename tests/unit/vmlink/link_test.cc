#include "oxydra/vmlink/link.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "oxydra/sys/io.h"
#include "oxydra/testlib/eventually.h"
#include "oxydra/testlib/temp_dir.h"

namespace oxydra::vmlink {
namespace {

using namespace std::chrono_literals;

sys::UniqueFd listen_at(const std::string& path) {
  sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ::unlink(path.c_str());
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::listen(fd.get(), 64), 0);
  return fd;
}

sys::UniqueFd connect_to(const std::string& path) {
  sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

std::string read_to_end(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

// A service that reads its client to end of file, then answers with what it
// read reversed, then closes: it needs half-close to cross the link.
class ReverseService {
 public:
  explicit ReverseService(const std::string& path) : listener_(listen_at(path)) {
    thread_ = std::thread([this] {
      for (;;) {
        sys::UniqueFd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!client || stop_) return;
        std::string text = read_to_end(client.get());
        std::string reversed(text.rbegin(), text.rend());
        (void)sys::write_all(client.get(), reversed);
      }
    });
  }
  ~ReverseService() {
    stop_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }

 private:
  sys::UniqueFd listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A host and a guest end over a socketpair, each on its own thread: the
// host forwards host.sock to the guest's service "reverse".
class LinkPair : public ::testing::Test {
 protected:
  void start(LinkOptions host, LinkOptions guest) {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    host.odd_channels = true;
    guest.odd_channels = false;
    host_ = std::make_unique<Link>(sys::UniqueFd(pair[0]), std::move(host));
    guest_ = std::make_unique<Link>(sys::UniqueFd(pair[1]), std::move(guest));
    host_thread_ = std::thread([this] { host_end_ = host_->run(); });
    guest_thread_ = std::thread([this] { guest_end_ = guest_->run(); });
  }
  void TearDown() override {
    if (host_) host_->stop();
    if (guest_) guest_->stop();
    if (host_thread_.joinable()) host_thread_.join();
    if (guest_thread_.joinable()) guest_thread_.join();
  }
  LinkOptions forwarding(const std::string& service) {
    LinkOptions options;
    options.hello = "host";
    Forward forward;
    forward.service = service;
    forward.listener = listen_at(dir_.file("host.sock"));
    options.forwards.push_back(std::move(forward));
    return options;
  }
  LinkOptions serving() {
    LinkOptions options;
    options.hello = "guest kernel 6.1";
    options.services.push_back({"reverse", dir_.file("reverse.sock")});
    return options;
  }

  testlib::TempDir dir_{"vml"};
  std::unique_ptr<Link> host_, guest_;
  std::thread host_thread_, guest_thread_;
  std::string host_end_, guest_end_;
};

TEST_F(LinkPair, ChannelCarriesBytesBothWaysWithHalfClose) {
  ReverseService service(dir_.file("reverse.sock"));
  start(forwarding("reverse"), serving());
  auto client = connect_to(dir_.file("host.sock"));
  ASSERT_EQ(sys::write_all(client.get(), std::string("hello\0link", 10)), 0);
  ::shutdown(client.get(), SHUT_WR);
  EXPECT_EQ(read_to_end(client.get()), std::string("knil\0olleh", 10));
  EXPECT_TRUE(testlib::eventually([&] { return host_->open_channels() == 0; }, 5s));
  EXPECT_TRUE(testlib::eventually([&] { return guest_->open_channels() == 0; }, 5s));
}

TEST_F(LinkPair, ManyMegabytesArriveIntactThroughTheWindow) {
  ReverseService service(dir_.file("reverse.sock"));
  start(forwarding("reverse"), serving());
  std::string payload(8 << 20, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>((i * 131) ^ (i >> 9));
  auto client = connect_to(dir_.file("host.sock"));
  std::thread writer([&] {
    (void)sys::write_all(client.get(), payload);
    ::shutdown(client.get(), SHUT_WR);
  });
  const std::string answer = read_to_end(client.get());
  writer.join();
  ASSERT_EQ(answer.size(), payload.size());
  EXPECT_TRUE(std::equal(answer.begin(), answer.end(), payload.rbegin()));
}

TEST_F(LinkPair, ConcurrentChannelsStayApart) {
  ReverseService service(dir_.file("reverse.sock"));
  start(forwarding("reverse"), serving());
  std::vector<std::thread> clients;
  std::atomic<int> right{0};
  for (int i = 0; i < 16; ++i) {
    clients.emplace_back([&, i] {
      auto client = connect_to(dir_.file("host.sock"));
      const std::string text = "client-" + std::to_string(i) + std::string(100000, 'x');
      (void)sys::write_all(client.get(), text);
      ::shutdown(client.get(), SHUT_WR);
      if (read_to_end(client.get()) == std::string(text.rbegin(), text.rend())) ++right;
    });
  }
  for (auto& t : clients)
    t.join();
  EXPECT_EQ(right.load(), 16);
}

TEST_F(LinkPair, UnknownServiceClosesTheClient) {
  start(forwarding("nothing-here"), serving());
  auto client = connect_to(dir_.file("host.sock"));
  EXPECT_EQ(read_to_end(client.get()), "");
  EXPECT_TRUE(testlib::eventually([&] { return host_->open_channels() == 0; }, 5s));
}

TEST_F(LinkPair, ServiceNotListeningClosesTheClient) {
  start(forwarding("reverse"), serving());  // no ReverseService
  auto client = connect_to(dir_.file("host.sock"));
  EXPECT_EQ(read_to_end(client.get()), "");
}

TEST_F(LinkPair, AdmitRefusesBeforeAnythingReachesTheGuest) {
  ReverseService service(dir_.file("reverse.sock"));
  auto host = forwarding("reverse");
  std::atomic<int> asked{0};
  host.admit = [&](int, const std::string& name) {
    ++asked;
    return name == "reverse" ? std::string("not this peer") : std::string();
  };
  std::vector<std::string> logged;
  std::mutex log_mutex;
  host.log = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    logged.push_back(line);
  };
  start(std::move(host), serving());
  auto client = connect_to(dir_.file("host.sock"));
  EXPECT_EQ(read_to_end(client.get()), "");
  EXPECT_EQ(asked.load(), 1);
  std::lock_guard lock(log_mutex);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("not this peer"), std::string::npos);
}

TEST_F(LinkPair, HelloAndShutdownReachThePeer) {
  std::atomic<bool> shut{false};
  std::string seen_hello;
  std::atomic<bool> hello{false};
  auto guest = serving();
  guest.on_shutdown = [&] { shut = true; };
  auto host = forwarding("reverse");
  host.on_hello = [&](const std::string& text) {
    seen_hello = text;
    hello = true;
  };
  start(std::move(host), std::move(guest));
  ASSERT_TRUE(testlib::eventually([&] { return hello.load(); }, 5s));
  EXPECT_EQ(seen_hello, "guest kernel 6.1");
  host_->request_shutdown();
  EXPECT_TRUE(testlib::eventually([&] { return shut.load(); }, 5s));
}

TEST(VmLink, PeerSendingPastItsWindowEndsTheLink) {
  testlib::TempDir dir("vml");
  auto never_accepts = listen_at(dir.file("stuck.sock"));  // its backlog takes the connect
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  sys::UniqueFd raw(pair[0]);
  LinkOptions options;
  options.odd_channels = true;
  options.services.push_back({"stuck", dir.file("stuck.sock")});
  Link link(sys::UniqueFd(pair[1]), std::move(options));
  std::string wire;
  append_frame(wire, 2, FrameKind::open, "stuck");
  const std::string chunk(kMaxPayload, 'z');
  for (std::uint32_t sent = 0; sent <= 4 * kWindow; sent += kMaxPayload)
    append_frame(wire, 2, FrameKind::data, chunk);
  // Fails once the link gives up and closes its end: that is the point.
  std::thread writer([&] { (void)sys::write_all(raw.get(), wire); });
  const std::string end = link.run();
  ::shutdown(raw.get(), SHUT_RDWR);
  writer.join();
  EXPECT_NE(end.find("past its window"), std::string::npos) << end;
}

TEST(VmLink, OpenOfTheWrongParityEndsTheLink) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  sys::UniqueFd raw(pair[0]);
  LinkOptions options;
  options.odd_channels = true;  // the peer must open even channels
  Link link(sys::UniqueFd(pair[1]), std::move(options));
  std::string wire;
  append_frame(wire, 3, FrameKind::open, "x");
  ASSERT_EQ(sys::write_all(raw.get(), wire), 0);
  EXPECT_NE(link.run().find("is not the peer's"), std::string::npos);
}

TEST(VmLink, PeerClosingTheStreamEndsTheLink) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  ::close(pair[0]);
  Link link(sys::UniqueFd(pair[1]), LinkOptions{});
  const std::string end = link.run();
  EXPECT_TRUE(end == "the peer closed the link" || end.find("write to the link") == 0) << end;
}

}  // namespace
}  // namespace oxydra::vmlink
