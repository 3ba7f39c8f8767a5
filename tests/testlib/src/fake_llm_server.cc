#include "oxydra/testlib/fake_llm_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "fake_http_wire.h"

namespace oxydra::testlib {

std::string RecordedRequest::header(std::string_view name) const {
  std::string key(name);
  for (char& c : key)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto it = headers.find(key);
  return it == headers.end() ? std::string() : it->second;
}

bool RecordedRequest::has_header(std::string_view name) const {
  std::string key(name);
  for (char& c : key)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return headers.count(key) > 0;
}

nlohmann::json RecordedRequest::json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

FakeLlmServer::FakeLlmServer() {
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0)
    throw std::runtime_error(std::string("listen on 127.0.0.1: ") + std::strerror(errno));
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FakeLlmServer::~FakeLlmServer() {
  const char stop = 's';
  [[maybe_unused]] const ssize_t written = ::write(stop_pipe_[1], &stop, 1);
  acceptor_.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  for (std::thread& connection : connections)
    connection.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

void FakeLlmServer::enqueue(ScriptedResponse response) {
  std::lock_guard lock(mutex_);
  scripts_.push_back(std::move(response));
}

std::string FakeLlmServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<RecordedRequest> FakeLlmServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t FakeLlmServer::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

bool FakeLlmServer::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

std::size_t FakeLlmServer::closed_connections() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool FakeLlmServer::wait_for_closed_connections(std::size_t count,
                                                std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return closed_ >= count; });
}

void FakeLlmServer::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, fd] { serve(fd); });
  }
}

bool FakeLlmServer::next_script(ScriptedResponse& out) {
  std::lock_guard lock(mutex_);
  if (scripts_.empty()) return false;
  out = std::move(scripts_.front());
  scripts_.pop_front();
  return true;
}

void FakeLlmServer::serve(int fd) {
  std::string buffer;
  for (;;) {
    auto request = wire::read_request(fd, stop_pipe_[0], buffer);
    if (!request) break;
    const bool client_closes = request->header("connection") == "close";
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(*request));
    }
    changed_.notify_all();

    ScriptedResponse script;
    if (!next_script(script)) {
      script.status = 500;
      script.headers = {{"Content-Type", "application/json"}};
      script.chunks = {R"({"error":{"message":"fake server: no scripted response left"}})"};
    }
    if (script.drop_connection) break;
    if (!wire::write_response(fd, stop_pipe_[0], script) || client_closes) break;
  }
  ::close(fd);
  {
    std::lock_guard lock(mutex_);
    ++closed_;
  }
  changed_.notify_all();
}

}  // namespace oxydra::testlib
