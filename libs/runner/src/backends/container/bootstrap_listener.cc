#include "backends/container/bootstrap_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "oxydra/sys/peer_cred.h"

namespace oxydra::runner {

namespace {

using sys::UniqueFd;
using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kGoneCheckInterval{100};

}  // namespace

Result<BootstrapListener> BootstrapListener::open(const std::string& path, uid_t owner,
                                                  gid_t group) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    return fail(ErrorCode::invalid_path, "bootstrap socket path too long: " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return tl::unexpected(errno_error("socket for " + path, errno));
  ::unlink(path.c_str());
  // Created 0660 from the start (no window in which anyone else could
  // connect), then given to the guest's group: the socket stays the runner's,
  // so the guest can neither replace it (ipc/ is root's) nor change its mode.
  const mode_t previous = ::umask(0117);
  const int bound = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  const int bind_errno = errno;
  ::umask(previous);
  if (bound != 0) return tl::unexpected(errno_error("bind " + path, bind_errno));
  BootstrapListener listener(path, std::move(fd));
  listener.owner_ = owner;
  // ipc/ is the runner's, so no guest can swap the name for a symlink; the
  // flag keeps even that from mattering.
  if (::fchownat(AT_FDCWD, path.c_str(), ::geteuid(), group, AT_SYMLINK_NOFOLLOW) != 0) {
    return tl::unexpected(errno_error("chown " + path, errno));
  }
  if (::listen(listener.fd_.get(), 1) != 0)
    return tl::unexpected(errno_error("listen " + path, errno));
  return listener;
}

BootstrapListener::BootstrapListener(BootstrapListener&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::move(other.fd_)), owner_(other.owner_) {
  other.path_.clear();
}

BootstrapListener::~BootstrapListener() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

Result<UniqueFd> BootstrapListener::accept_one(
    std::chrono::milliseconds timeout, const std::function<std::optional<std::string>()>& gone) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    UniqueFd peer(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (peer) {
      // Only the guest's uid may ask for the envelope (the socket's mode says
      // so too; this says why when something else tries).
      auto cred = sys::peer_cred(peer.get());
      if (!cred || cred->uid != owner_) {
        spdlog::warn("bootstrap socket {}: refused a connection from uid {} (the guest is uid {})",
                     path_, cred ? static_cast<long>(cred->uid) : -1L, static_cast<long>(owner_));
        continue;
      }
      ::unlink(path_.c_str());
      path_.clear();
      fd_.reset();
      return peer;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return tl::unexpected(errno_error("accept " + path_, errno));
    }
    if (auto why = gone())
      return fail(ErrorCode::guest_exited, *why + " before it asked for its bootstrap");
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return fail(ErrorCode::startup_timeout, "oxydra-vm did not connect to " + path_ + " within " +
                                                  std::to_string(timeout.count()) + " ms");
    }
    pollfd waiting{fd_.get(), POLLIN, 0};
    ::poll(&waiting, 1, static_cast<int>(std::min(left, kGoneCheckInterval).count()));
  }
}

}  // namespace oxydra::runner
