// FirecrackerApi against a test peer that speaks Firecracker's documented API
// (swagger/firecracker.yaml upstream) over a Unix socket: it parses each
// HTTP/1.1 request byte by byte, checks the method, the path, the headers
// and the required fields of each body, and answers 204, or 400 with
// {"fault_message": ...} the way Firecracker does.

#include "backends/micro_vm/firecracker_api.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <thread>

#include "oxydra/testlib/temp_dir.h"

namespace oxydra::runner {
namespace {

using nlohmann::json;

struct Seen {
  std::string method, path;
  std::map<std::string, std::string> headers;
  json body;
};

class FirecrackerPeer {
 public:
  explicit FirecrackerPeer(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~FirecrackerPeer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::vector<Seen> seen;
  std::string refuse_path;  // answered 400 for this path

 private:
  // Required fields per documented path, as the swagger file lists them.
  static std::vector<std::string> required(const std::string& path) {
    if (path == "/machine-config") return {"vcpu_count", "mem_size_mib"};
    if (path == "/boot-source") return {"kernel_image_path"};
    if (path.rfind("/drives/", 0) == 0) return {"drive_id", "is_root_device"};
    if (path == "/vsock") return {"guest_cid", "uds_path"};
    if (path == "/actions") return {"action_type"};
    return {};
  }

  void serve() {
    for (;;) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string bytes;
      char c;
      while (bytes.find("\r\n\r\n") == std::string::npos && ::read(client, &c, 1) == 1)
        bytes += c;
      Seen request;
      const auto line_end = bytes.find("\r\n");
      const std::string line = bytes.substr(0, line_end);
      request.method = line.substr(0, line.find(' '));
      request.path = line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
      std::size_t at = line_end + 2;
      while (at < bytes.size() - 2) {
        const auto end = bytes.find("\r\n", at);
        const std::string header = bytes.substr(at, end - at);
        if (header.empty()) break;
        request.headers[header.substr(0, header.find(':'))] = header.substr(header.find(':') + 2);
        at = end + 2;
      }
      std::string body(std::stoul(request.headers["Content-Length"]), '\0');
      std::size_t got = 0;
      while (got < body.size()) {
        const ssize_t n = ::read(client, body.data() + got, body.size() - got);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
      }
      request.body = json::parse(body, nullptr, false);
      std::string fault;
      if (line.substr(line.rfind(' ') + 1) != "HTTP/1.1") fault = "not HTTP/1.1";
      if (request.method != "PUT") fault = "Invalid request method";
      if (request.headers["Content-Type"] != "application/json") fault = "bad Content-Type";
      if (!request.body.is_object()) fault = "Invalid JSON body";
      for (const auto& field : required(request.path)) {
        if (request.body.is_object() && !request.body.contains(field))
          fault = "missing field `" + field + "`";
      }
      if (required(request.path).empty()) fault = "Invalid request path";
      if (request.path == refuse_path) fault = "The kernel file cannot be opened";
      seen.push_back(request);
      std::string answer =
          "HTTP/1.1 204 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n\r\n";
      if (!fault.empty()) {
        const std::string body_out = json{{"fault_message", fault}}.dump();
        answer =
            "HTTP/1.1 400 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n"
            "Content-Type: application/json\r\nContent-Length: " +
            std::to_string(body_out.size()) + "\r\n\r\n" + body_out;
      }
      (void)::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }

  std::string path_;
  int fd_ = -1;
  std::thread thread_;
};

FirecrackerVm a_vm() {
  FirecrackerVm vm;
  vm.vcpu_count = 2;
  vm.mem_size_mib = 512;
  vm.kernel_image_path = "/img/vmlinux";
  vm.initrd_path = "/img/initramfs.cpio.gz";
  vm.boot_args = "console=ttyS0 oxydra.role=shell-vm";
  vm.drives = {{"rootfs", "/img/shell-vm.img", true, true}};
  vm.guest_cid = 3;
  vm.vsock_uds_path = "/ws/alice/ipc/shell/vsock.sock";
  return vm;
}

TEST(FirecrackerApi, ConfiguresAndStartsInTheDocumentedOrder) {
  testlib::TempDir dir;
  FirecrackerPeer peer(dir.file("api.sock"));
  FirecrackerApi api(dir.file("api.sock"));
  ASSERT_TRUE(api.configure(a_vm()));
  ASSERT_TRUE(api.start());
  ASSERT_EQ(peer.seen.size(), 5u);
  const char* paths[] = {"/machine-config", "/boot-source", "/drives/rootfs", "/vsock", "/actions"};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(peer.seen[i].method, "PUT");
    EXPECT_EQ(peer.seen[i].path, paths[i]);
    EXPECT_EQ(peer.seen[i].headers["Accept"], "application/json");
  }
  EXPECT_EQ(peer.seen[0].body, (json{{"vcpu_count", 2}, {"mem_size_mib", 512}}));
  EXPECT_EQ(peer.seen[1].body, (json{{"kernel_image_path", "/img/vmlinux"},
                                     {"initrd_path", "/img/initramfs.cpio.gz"},
                                     {"boot_args", "console=ttyS0 oxydra.role=shell-vm"}}));
  EXPECT_EQ(peer.seen[2].body, (json{{"drive_id", "rootfs"},
                                     {"path_on_host", "/img/shell-vm.img"},
                                     {"is_root_device", true},
                                     {"is_read_only", true}}));
  EXPECT_EQ(peer.seen[3].body,
            (json{{"guest_cid", 3}, {"uds_path", "/ws/alice/ipc/shell/vsock.sock"}}));
  EXPECT_EQ(peer.seen[4].body, (json{{"action_type", "InstanceStart"}}));
}

TEST(FirecrackerApi, ARefusalCarriesTheFaultMessageAndStopsTheSequence) {
  testlib::TempDir dir;
  FirecrackerPeer peer(dir.file("api.sock"));
  peer.refuse_path = "/boot-source";
  auto result = FirecrackerApi(dir.file("api.sock")).configure(a_vm());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "firecracker: PUT /boot-source: 400: The kernel file cannot be opened");
  EXPECT_EQ(peer.seen.size(), 2u);
}

TEST(FirecrackerApi, NoFirecrackerIsOneLineNamingTheSocket) {
  testlib::TempDir dir;
  auto result = FirecrackerApi(dir.file("absent.sock"), std::chrono::milliseconds(200)).start();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::connection_failed);
  EXPECT_NE(result.error().message.find("no Firecracker answers at " + dir.file("absent.sock")),
            std::string::npos)
      << result.error().message;
}

}  // namespace
}  // namespace oxydra::runner
