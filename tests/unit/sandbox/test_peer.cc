#include "test_peer.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace oxydra::sandbox::testing {

std::optional<std::string> PeerConnection::read_line() {
  std::string line;
  for (;;) {
    char c = 0;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if (c == '\n') return line;
    line.push_back(c);
  }
}

std::optional<Message> PeerConnection::read_message() {
  for (;;) {
    if (auto event = decoder_.next()) {
      if (event->kind != FrameEvent::Kind::frame) return std::nullopt;
      auto message = parse_message(event->payload);
      if (!message) return std::nullopt;
      return *message;
    }
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
  }
}

bool PeerConnection::write_raw(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool PeerConnection::write_message(std::string_view op, const nlohmann::json& payload) {
  return write_raw(encode_message(op, payload));
}

void PeerConnection::close() {
  ::shutdown(fd_, SHUT_RDWR);
}

TestPeer::TestPeer(std::string path, OnConnection on_connection)
    : path_(std::move(path)), on_connection_(std::move(on_connection)) {
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("listen " + path_ + ": " + std::strerror(errno));
  }
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestPeer::~TestPeer() {
  stop();
}

void TestPeer::accept_loop() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    std::lock_guard lock(mu_);
    if (stopped_) {
      ::close(fd);
      return;
    }
    const int index = accepted_.fetch_add(1);
    fds_.push_back(fd);
    threads_.emplace_back([this, fd, index] {
      PeerConnection conn(fd);
      on_connection_(conn, index);
      conn.close();
    });
  }
}

void TestPeer::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    for (int fd : fds_)
      ::shutdown(fd, SHUT_RDWR);
  }
  acceptor_.join();
  for (auto& t : threads_)
    t.join();
  for (int fd : fds_)
    ::close(fd);
  ::close(listen_fd_);
  ::unlink(path_.c_str());
}

std::shared_ptr<DaemonClient> connect_test_client(const std::string& socket_path) {
  DaemonClientOptions options;
  options.connect.deadline = std::chrono::seconds(10);
  options.connect.initial_backoff = std::chrono::milliseconds(5);
  options.request_timeout = std::chrono::seconds(60);
  auto client =
      DaemonClient::connect(ParsedEndpoint{ChannelTransport::unix_socket, socket_path}, options);
  if (!client) return nullptr;
  return *client;
}

nlohmann::json hello_reply(const std::string& request_id, int protocol_version,
                           const std::optional<std::string>& instance) {
  nlohmann::json reply = {
      {"request_id", request_id},
      {"protocol_version", protocol_version},
      {"server", "test-peer"},
      {"capabilities", nlohmann::json::array({"exec_stream"})},
      {"limits",
       {{"max_frame_bytes", 8 << 20}, {"max_sessions", 64}, {"max_output_bytes", 65536}}}};
  if (instance) reply["instance"] = *instance;
  return reply;
}

void BasicDaemon::serve(PeerConnection& conn) const {
  while (auto message = conn.read_message()) {
    if (hook && hook(conn, *message)) continue;
    const auto& p = message->payload;
    const std::string id = p.value("request_id", "");
    const std::string session_id = p.value("session_id", "");
    const std::string& op = message->op;
    std::unique_lock lock(state->mu);
    if (op == "hello") {
      conn.write_message(op, hello_reply(id, protocol_version, state->instance));
    } else if (op == "spawn_session") {
      const std::string sid = "session-" + std::to_string(++state->next_session);
      state->sessions.insert(sid);
      conn.write_message(op, {{"request_id", id}, {"session_id", sid}});
    } else if (op == "list_sessions") {
      auto list = nlohmann::json::array();
      for (const auto& sid : state->sessions) {
        list.push_back({{"session_id", sid}, {"cwd", "/"}, {"running", false}});
      }
      conn.write_message(op, {{"request_id", id}, {"sessions", list}});
    } else if (!state->sessions.count(session_id) && op != "cancel") {
      conn.write_message(
          "error", {{"request_id", id},
                    {"code", op == "kill_session" || op == "exec_command" || op == "stream_output"
                                 ? "unknown_session"
                                 : "unknown_op"},
                    {"message", op + " " + session_id}});
    } else if (op == "exec_command") {
      state->exec_sessions.push_back(session_id);
      lock.unlock();
      const std::string command = p.value("command", "");
      if (p.value("stream", false)) {
        conn.write_message(
            "output", {{"request_id", id}, {"stream", "stdout"}, {"data", command}, {"offset", 0}});
      }
      conn.write_message(op, {{"request_id", id},
                              {"accepted", true},
                              {"exit_code", 0},
                              {"signal", nullptr},
                              {"timed_out", false},
                              {"duration_ms", 1},
                              {"stdout_bytes", command.size()},
                              {"stderr_bytes", 0},
                              {"truncated_bytes", 0},
                              {"cwd", "/"}});
    } else if (op == "stream_output") {
      conn.write_message(op, {{"request_id", id},
                              {"session_id", session_id},
                              {"stream", "stdout"},
                              {"data", ""},
                              {"eof", true}});
    } else if (op == "cancel") {
      conn.write_message(op, {{"request_id", id}, {"cancelled", true}});
    } else if (op == "kill_session") {
      state->sessions.erase(session_id);
      conn.write_message(op, {{"request_id", id}, {"killed", true}});
    }
  }
}

}  // namespace oxydra::sandbox::testing
