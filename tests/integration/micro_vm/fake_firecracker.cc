// A test peer standing in for Firecracker, which cannot run on this machine
// kind (no usable KVM): it speaks the documented parts the firecracker driver
// uses, byte for byte — the REST API over --api-sock (HTTP/1.1, JSON bodies,
// 204 answers) and, after InstanceStart, the host-initiated vsock handshake
// on the configured uds_path ("CONNECT <port>\n" answered "OK <host port>\n",
// or the connection closed while no guest listens on the port). Behind the
// handshake on port 1024 it plays the guest's end of the VM link (libs/vmlink)
// with a fixed hello. Every request is appended to peer.log beside the API
// socket (the driver gives its VMM a clean environment).
//
//   fake-firecracker --api-sock PATH --id NAME
//   fake-firecracker --version

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "oxydra/vmlink/link.h"

namespace {

int listen_at(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ::unlink(path.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 16) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  return fd;
}

std::string g_log;  // peer.log beside the API socket

void log_line(const std::string& text) {
  if (!g_log.empty()) std::ofstream(g_log, std::ios::app) << text;
}

// One line up to '\n' (without it), read a byte at a time.
std::string read_line(int fd) {
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n')
    line.push_back(c);
  return line;
}

// After InstanceStart: the guest's side of the vsock socket. The first
// CONNECT finds no guest listening yet (closed, as Firecracker does), so the
// driver must retry.
void serve_vsock(const std::string& uds) {
  const int listener = listen_at(uds);
  int attempts = 0;
  for (;;) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    const std::string line = read_line(fd);
    log_line("vsock: " + line + "\n");
    if (++attempts == 1 || line != "CONNECT 1024") {
      ::close(fd);
      continue;
    }
    const std::string ok = "OK 1073741824\n";
    (void)!::write(fd, ok.data(), ok.size());
    std::thread([fd] {
      oxydra::vmlink::LinkOptions options;
      options.odd_channels = false;
      options.hello =
          "kernel=fake-firecracker-guest uid=1000 no_new_privs=1 "
          "cap_eff=0000000000000000 seccomp=2 root_ro=1 seccomp_policy=oxydra-allow-v2";
      oxydra::vmlink::Link link{oxydra::sys::UniqueFd(fd), std::move(options)};
      link.run();
    }).detach();
  }
}

void serve_api(const std::string& path) {
  const int listener = listen_at(path);
  for (;;) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    std::string request;
    char buffer[4096];
    std::size_t body_at = std::string::npos;
    std::size_t length = 0;
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      request.append(buffer, static_cast<std::size_t>(n));
      if (body_at == std::string::npos &&
          (body_at = request.find("\r\n\r\n")) != std::string::npos) {
        body_at += 4;
        const auto header = request.find("Content-Length: ");
        if (header != std::string::npos) length = std::stoul(request.substr(header + 16));
      }
      if (body_at != std::string::npos && request.size() >= body_at + length) break;
    }
    log_line(request + "\n----\n");
    const std::string answer =
        "HTTP/1.1 204 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n\r\n";
    (void)!::write(fd, answer.data(), answer.size());
    ::close(fd);
    if (request.rfind("PUT /vsock ", 0) == 0 && body_at != std::string::npos) {
      const auto body = nlohmann::json::parse(request.substr(body_at), nullptr, false);
      if (body.is_object()) ::setenv("FAKE_UDS", body.value("uds_path", "").c_str(), 1);
    }
    const char* uds = std::getenv("FAKE_UDS");
    if (request.rfind("PUT /actions ", 0) == 0 && uds != nullptr) {
      std::thread(serve_vsock, std::string(uds)).detach();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string api;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--version") {
      std::puts("Firecracker v1.7.0 (oxydra test peer)");
      return 0;
    }
    if (arg == "--api-sock" && i + 1 < argc) api = argv[++i];
  }
  if (!api.empty()) g_log = api.substr(0, api.rfind('/') + 1) + "peer.log";
  std::string line = "argv:";
  for (int i = 1; i < argc; ++i)
    line += std::string(" ") + argv[i];
  log_line(line + "\n");
  if (api.empty()) return 2;
  serve_api(api);
  return 0;
}
