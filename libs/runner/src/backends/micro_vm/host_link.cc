#include "backends/micro_vm/host_link.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "oxydra/sandbox/connect.h"
#include "oxydra/sys/peer_cred.h"
#include "oxydra/sys/unix_connect.h"

namespace oxydra::runner {

Result<sys::UniqueFd> connect_guest_port(const sandbox::ParsedEndpoint& endpoint,
                                         std::chrono::milliseconds timeout,
                                         const std::function<std::optional<std::string>()>& gone) {
  const auto deadline = sys::Clock::now() + timeout;
  for (;;) {
    if (auto why = gone ? gone() : std::nullopt) {
      return fail(ErrorCode::guest_exited,
                  *why + " before its port " + endpoint.describe() + " answered");
    }
    // Short attempts, so that a VMM that died is noticed between them.
    sandbox::ConnectOptions options;
    options.deadline = std::chrono::milliseconds(200);
    options.attempt_timeout = std::chrono::milliseconds(1000);
    auto fd = sandbox::connect_endpoint(endpoint, options);
    if (fd) return fd;
    if (fd.error().code == ErrorCode::sidecar_protocol_error || sys::Clock::now() >= deadline) {
      return tl::unexpected(fd.error());
    }
  }
}

Result<std::unique_ptr<HostLink>> HostLink::connect(
    const sandbox::ParsedEndpoint& endpoint, vmlink::LinkOptions options,
    std::chrono::milliseconds timeout, const std::function<std::optional<std::string>()>& gone) {
  auto fd = connect_guest_port(endpoint, timeout, gone);
  if (!fd) return tl::unexpected(fd.error());
  std::unique_ptr<HostLink> link(new HostLink());
  HostLink* self = link.get();
  options.odd_channels = true;
  options.on_hello = [self](const std::string& text) {
    std::lock_guard lock(self->mutex_);
    self->hello_ = text;
    self->changed_.notify_all();
  };
  link->link_ = std::make_unique<vmlink::Link>(std::move(*fd), std::move(options));
  link->thread_ = std::thread([self] {
    std::string why = self->link_->run();
    std::lock_guard lock(self->mutex_);
    self->ended_ = std::move(why);
    self->changed_.notify_all();
  });
  return link;
}

HostLink::~HostLink() {
  if (link_) link_->stop();
  if (thread_.joinable()) thread_.join();
}

Result<std::string> HostLink::wait_hello(std::chrono::milliseconds timeout,
                                         const std::function<std::optional<std::string>()>& gone) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (hello_) return *hello_;
    if (ended_)
      return fail(ErrorCode::guest_exited,
                  "the VM link ended before the guest said hello: " + *ended_);
    lock.unlock();
    if (auto why = gone ? gone() : std::nullopt) return fail(ErrorCode::guest_exited, *why);
    lock.lock();
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail(ErrorCode::timeout, "the guest's init did not answer on the VM link within " +
                                          std::to_string(timeout.count() / 1000) + " s");
    }
    changed_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

Result<vmlink::Forward> host_forward(const std::string& path, const std::string& service) {
  sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return tl::unexpected(errno_error("socket for " + path, errno));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    return fail(ErrorCode::invalid_config, "socket path too long: " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return fail(ErrorCode::internal, path + " exists and is not a socket");
    ::unlink(path.c_str());
  }
  const mode_t old_mask = ::umask(0177);
  const int bound = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::umask(old_mask);
  if (bound != 0) return tl::unexpected(errno_error("bind " + path, errno));
  if (::listen(fd.get(), 64) != 0) return tl::unexpected(errno_error("listen " + path, errno));
  return vmlink::Forward{service, std::move(fd)};
}

std::string admit_root_only(int fd, const std::string& service) {
  auto peer = sys::peer_cred(fd);
  if (!peer) return std::string("no peer credentials: ") + std::strerror(errno);
  if (peer->uid == 0 || peer->uid == ::getuid()) return {};
  return "uid " + std::to_string(peer->uid) + " may not use " + service;
}

}  // namespace oxydra::runner
